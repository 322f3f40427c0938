"""## What it does
Flags Python files that do not parse.

It is `low` for a file under a `docs/` or `doc/` folder: a documentation example may show code that
does not parse on purpose (a linter's message pages, syntax of a Python the project does not run), and
nothing imports it.

## Why is this bad?
A file that does not parse cannot be imported, tested or analysed: every
other check is blind to it, and any code importing it fails at run time.

## Example
```python
def total(items)
    return sum(items)
```

## Use instead
```python
def total(items):
    return sum(items)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("QLT001", "syntax-error", Domain.QUALITY, Severity.HIGH, __doc__)
DOC_DIRS = frozenset({"docs", "doc"})  # where a file that does not parse is an example, never imported


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report the parse error of a Python file that does not parse."""
    error = ctx.syntax_error
    if error is not None:
        severity = Severity.LOW if any(part in DOC_DIRS for part in ctx.path.split("/")[:-1]) else None
        yield RawFinding(RULE.code, 0, f"file does not parse ({error})", snippet="syntax-error", severity=severity)


CHECK = FileCheck(RULE, PYTHON, find, judges_generated=True)
