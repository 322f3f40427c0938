"""## What it does
Flags Python files that do not parse.

It is `low` for a file under a `docs/` or `doc/` folder: a documentation example may show code that
does not parse on purpose (a linter's message pages, syntax of a Python the project does not run), and
nothing imports it. So it is for a project template's file, whose path holds a placeholder
(`{{cookiecutter.package}}/app.py`): it is Jinja text that renders to Python, not Python itself.

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
        folders = ctx.path.split("/")[:-1]
        example = any(part in DOC_DIRS for part in folders) or "{{" in ctx.path or "{%" in ctx.path
        severity = Severity.LOW if example else None
        yield RawFinding(RULE.code, 0, f"file does not parse ({error})", snippet="syntax-error", severity=severity)


CHECK = FileCheck(RULE, PYTHON, find, judges_generated=True)
