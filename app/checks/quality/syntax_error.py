"""## What it does
Flags Python files that do not parse.

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


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report the parse error of a Python file that does not parse."""
    error = ctx.syntax_error
    if error is not None:
        yield RawFinding(RULE.code, 0, f"file does not parse ({error})", snippet="syntax-error")


CHECK = FileCheck(RULE, PYTHON, find, judges_generated=True)
