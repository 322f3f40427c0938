"""## What it does
Flags `functools.lru_cache`, `functools.cache` or `functools.cached_property` on an `async def`.

Imports are resolved: `from functools import cache`, `@ft.lru_cache(maxsize=64)`.

(`lru_cache` on an ordinary method is ruff's `B019`, which Verity runs in this domain.)

## Why is this bad?
Calling an `async def` does not run it: it returns a coroutine object, and that object is what the
decorator caches. The first caller awaits it; every later call with the same arguments gets the same,
already finished coroutine back, and awaiting it raises
`RuntimeError: cannot reuse already awaited coroutine`. The cache never saves any work and turns the
second call into a crash that tests with a single call do not see.

## Example
```python
import functools

@functools.lru_cache(maxsize=128)
async def get_settings(tenant):
    return await db.fetch_settings(tenant)
```

## Use instead
```python
from async_lru import alru_cache

@alru_cache(maxsize=128)
async def get_settings(tenant):
    return await db.fetch_settings(tenant)
```
Or cache the awaited result yourself (a dict of results, or of `asyncio.Task`s, keyed by the arguments).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.facts.pynames import import_aliases, qualified, scope_name
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("PRF002", "lru-cache-on-coroutine", Domain.PERFORMANCE, Severity.MEDIUM, __doc__, scoped=True)

CACHES = frozenset({"functools.lru_cache", "functools.cache", "functools.cached_property"})


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report memoising decorators on coroutine functions."""
    aliases = import_aliases(ctx)
    for func in ctx.nodes(ast.AsyncFunctionDef):
        for decorator in func.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = qualified(target, aliases)
            if name in CACHES:
                short = name.rsplit(".", 1)[-1]
                yield RawFinding(
                    RULE.code, decorator.lineno,
                    f"`@{short}` on `async def {func.name}` caches a coroutine object: the second await "
                    "raises RuntimeError",
                    end_line=func.lineno,
                    snippet=f"{scope_name(ctx, func)}.{func.name}:@{short}",
                )


CHECK = FileCheck(RULE, PYTHON, find)
