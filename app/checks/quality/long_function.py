"""## What it does
Flags functions longer than 100 lines (from `def` to the last line of the body).

## Why is this bad?
Very long functions do many things at once: they are hard to test piece by piece, hard to
review, and where bugs hide. Complexity (ruff C901) catches branchy code; this catches length.

## Example
A 250-line `handle_request` that parses, validates, queries, renders and logs.

## Use instead
Split it into named steps, each a small function that does one thing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("QLT003", "long-function", Domain.QUALITY, Severity.LOW, __doc__)
MAX_LINES = 100


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report functions whose span exceeds MAX_LINES."""
    for node in ctx.nodes(ast.FunctionDef) + ctx.nodes(ast.AsyncFunctionDef):
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length > MAX_LINES:
            yield RawFinding(
                RULE.code, node.lineno, f"function {node.name} is {length} lines long (over {MAX_LINES})",
                snippet=f"def {node.name}",
            )


CHECK = FileCheck(RULE, PYTHON, find)
