"""## What it does
Reports a file that one of Verity's checks could not analyse.

## Why is this bad?
A check that cannot read a file says nothing about it, so the file's score rests on less
evidence than the others'. The audit goes on; this finding makes the gap visible.

## Example
A file so deeply nested that the parser runs out of recursion depth.

## Use instead
Split the construct into smaller pieces, or report the file to the Verity maintainers.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("QLT000", "unanalysable-file", Domain.QUALITY, Severity.LOW, __doc__)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report nothing: the engine emits this code when another check fails on a file."""
    del ctx
    return iter(())


CHECK = FileCheck(RULE, frozenset(), find)
