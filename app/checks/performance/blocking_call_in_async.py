"""## What it does
Flags blocking network and file calls made directly inside an `async def` that ruff's ASYNC rules miss.

Ruff's `ASYNC210`, `ASYNC212`, `ASYNC22x`, `ASYNC230`, `ASYNC240` and `ASYNC251` run in this domain and
cover `time.sleep`, `requests.get`, `subprocess`, `open` and `pathlib`; this check reports the rest:
- methods of blocking HTTP clients held in a variable, a parameter annotated with the client type, or an
  attribute set on `self`: `requests.Session()` (`session.get(...)`), `urllib3.PoolManager()`,
  `http.client.HTTPConnection()`, `urllib.request.build_opener()`, and `httpx.Client()` when it is
  created in the same expression or kept on `self` (ruff covers the other `httpx.Client` forms);
- blocking socket calls: `socket.create_connection`, `getaddrinfo`, `gethostbyname` and friends, and
  `connect`/`accept`/`recv*`/`send*` on a socket the function or module created (unless it was made
  non-blocking with `setblocking(False)`);
- `httpx.stream(...)`, `urllib.request.urlretrieve(...)` and `codecs.open(...)`.

Imports are resolved (`import requests as r`, `from socket import getaddrinfo`). A call inside a nested
`def` or `lambda` is not flagged: that is how blocking work is handed to a thread
(`await asyncio.to_thread(lambda: session.get(url))`). Test files are skipped: a test's event loop
serves nobody else.

## Why is this bad?
An event loop runs every task of the process on one thread. A blocking call holds that thread for the
whole network round trip or disk access: every other request, timer and health probe waits behind it,
so one slow upstream makes the whole service slow, and a hung connection freezes it.

## Example
```python
import requests

session = requests.Session()

async def fetch_user(user_id):
    return session.get(f"https://api.example.com/users/{user_id}").json()
```

## Use instead
```python
import httpx

client = httpx.AsyncClient()

async def fetch_user(user_id):
    response = await client.get(f"https://api.example.com/users/{user_id}")
    return response.json()
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.facts.path_roles import is_test_path
from app.checks.facts.pynames import enclosing_scope, scoped_snippet
from app.checks.performance._clients import OTHER, ClientResolver
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("PRF001", "blocking-call-in-async", Domain.PERFORMANCE, Severity.MEDIUM, __doc__, scoped=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report blocking client, socket and file calls made directly in coroutine functions."""
    if ctx.tree is None or is_test_path(ctx.path) or not ctx.nodes(ast.AsyncFunctionDef):
        return  # without a coroutine function there is nothing to stall
    resolver = ClientResolver(ctx)
    for call in ctx.nodes(ast.Call):
        func = enclosing_scope(ctx, call)
        if not isinstance(func, ast.AsyncFunctionDef):
            continue
        what = resolver.blocking_call(call, func)
        if what is not None and what != OTHER:
            yield RawFinding(
                RULE.code, call.lineno,
                f"blocking `{what}` in `async def {func.name}` stalls the event loop: use an async client "
                "or `await asyncio.to_thread(...)`",
                end_line=call.end_lineno or call.lineno,
                snippet=scoped_snippet(ctx, call),
            )


CHECK = FileCheck(RULE, PYTHON, find)
