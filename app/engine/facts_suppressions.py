"""Inline suppressions: `# verity: ignore[SEC001,SEC002] reason`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.checks.base import FileContext, per_file

SUPPRESSION = re.compile(r"verity:\s*ignore\[([A-Za-z0-9_,\s]+)\]\s*(.*)")


@per_file
def find_suppressions(ctx: FileContext) -> dict[int, tuple[tuple[str, ...], str]]:
    """Return the inline suppressions of a file by line: the codes and the stated reason."""
    found: dict[int, tuple[tuple[str, ...], str]] = {}
    if "verity:" not in ctx.text:
        return found  # the common case: no need to tokenize the file
    if ctx.kind == "python":
        candidates: Iterable[tuple[int, str]] = ctx.comments.items()
    else:
        candidates = ((i, line) for i, line in enumerate(ctx.lines, start=1) if "verity:" in line)
    for line_no, text in candidates:
        match = SUPPRESSION.search(text)
        if match:
            codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
            found[line_no] = (codes, match.group(2).strip())
    return found
