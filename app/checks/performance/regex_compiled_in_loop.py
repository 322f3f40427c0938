"""## What it does
Flags `re.compile(...)` of a constant pattern inside a loop.

It looks at `re.compile` and `regex.compile` with a literal pattern and constant flags, in the body of a
`for` or `while` loop or in a comprehension, in the same function as the loop.

Only constant patterns are flagged: compiling a pattern built from the loop variable is the loop's work.
Calls such as `re.match(r"\\d+", line)` are not flagged: they are served from `re`'s internal cache.
Test files are skipped.

## Why is this bad?
The compiled pattern is the same on every iteration, yet each `re.compile` call repeats the work of
finding it: building the cache key, looking it up and, once more than a few hundred patterns have been
used in the process, compiling it again. Hoisting it states that the pattern is fixed and makes the loop
cheaper. It is a small cost, reported at low severity.

## Example
```python
import re

def versions(lines):
    found = []
    for line in lines:
        pattern = re.compile(r"v(\\d+)\\.(\\d+)")
        found.extend(pattern.findall(line))
    return found
```

## Use instead
```python
import re

VERSION = re.compile(r"v(\\d+)\\.(\\d+)")

def versions(lines):
    found = []
    for line in lines:
        found.extend(VERSION.findall(line))
    return found
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.facts.path_roles import is_test_path
from app.checks.facts.pynames import call_name, import_aliases, loops_around, qualified, scoped_snippet
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("PRF003", "regex-compiled-in-loop", Domain.PERFORMANCE, Severity.LOW, __doc__, scoped=True)

COMPILERS = frozenset({"re.compile", "regex.compile"})
FLAG_MODULES = ("re.", "regex.")


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report constant regular expressions compiled on every iteration of a loop."""
    if is_test_path(ctx.path):
        return
    aliases = import_aliases(ctx)
    for call in ctx.nodes(ast.Call):
        name = call_name(call, aliases)
        if name not in COMPILERS or not _constant_arguments(call, aliases):
            continue
        if next(loops_around(ctx, call), None) is not None:
            yield RawFinding(
                RULE.code, call.lineno,
                f"`{name}` of a constant pattern inside a loop: compile it once, outside the loop",
                end_line=call.end_lineno or call.lineno,
                snippet=scoped_snippet(ctx, call),
            )


def _constant_arguments(call: ast.Call, aliases: dict[str, str]) -> bool:
    """Return whether the pattern is a literal and the flags are constants."""
    if not call.args or not _is_literal(call.args[0]):
        return False
    flags = [*call.args[1:], *(k.value for k in call.keywords)]
    return all(_is_flag(flag, aliases) for flag in flags)


def _is_literal(node: ast.expr) -> bool:
    """Return whether an expression is a string or bytes literal (or a `+` of literals)."""
    return all(_literal_part(sub) for sub in ast.walk(node))


def _literal_part(node: ast.AST) -> bool:
    """Return whether a node may appear in a literal pattern: a string, bytes, or `+` joining them."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Add)
    return isinstance(node, ast.Add) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def _is_flag(node: ast.expr, aliases: dict[str, str]) -> bool:
    """Return whether an expression is a constant flag set: numbers and `re.X` joined by `|`."""
    parts = [node]
    while parts:
        part = parts.pop()
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr):
            parts += [part.left, part.right]
        elif isinstance(part, ast.Constant):
            if not isinstance(part.value, int):
                return False
        elif not (qualified(part, aliases) or "").startswith(FLAG_MODULES):
            return False
    return True


CHECK = FileCheck(RULE, PYTHON, find)
