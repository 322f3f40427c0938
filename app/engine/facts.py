"""Per-file facts: run every file check and extractor on one file's text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from app.checks import registry
from app.checks.base import FileContext, FileFinder
from app.engine.model import FileFacts, RawFinding

ENGINE_VERSION = "1"

# `# verity: ignore[SEC001,SEC002] reason`; the reason is required (see QLT002).
SUPPRESSION = re.compile(r"verity:\s*ignore\[([A-Za-z0-9_,\s]+)\]\s*(.*)")


def rules_digest(extra: Iterable[str] = ()) -> str:
    """Return a hash of the engine version and rule set, part of every facts cache key."""
    codes = [c.rule.code for c in registry.CHECKS] + [e.key for e in registry.EXTRACTORS]
    text = "|".join([ENGINE_VERSION, *codes, *extra])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def analyse_text(path: str, text: str) -> FileFacts:
    """Return the facts of one file: Verity's own findings, extractor data and suppressions."""
    ctx = FileContext(path, text)
    facts = FileFacts(path=path, kind=ctx.kind, loc=count_loc(ctx.lines))
    for check in registry.file_checks():
        if ctx.kind in check.kinds:
            facts.findings.extend(_run_check(check.find, ctx, check.rule.code))
    for extractor in registry.EXTRACTORS:
        if ctx.kind in extractor.kinds:
            facts.data[extractor.key] = extractor.extract(ctx)
    facts.suppressions = find_suppressions(ctx)
    return facts


def _run_check(find: FileFinder, ctx: FileContext, code: str) -> list[RawFinding]:
    """Run one check; a check that crashes on hostile input becomes a finding, never a crashed audit."""
    try:
        return list(find(ctx))
    except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        return [RawFinding("QLT000", 0, f"check {code} could not analyse this file ({type(exc).__name__})",
                           snippet=f"check-error:{code}")]


def count_loc(lines: list[str]) -> int:
    """Return the number of non-blank lines."""
    return sum(1 for line in lines if line.strip())


def find_suppressions(ctx: FileContext) -> dict[int, tuple[tuple[str, ...], str]]:
    """Return the inline suppressions of a file by line: the codes and the stated reason."""
    found: dict[int, tuple[tuple[str, ...], str]] = {}
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
