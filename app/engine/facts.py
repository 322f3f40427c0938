"""Per-file facts: run every file check and extractor on one file's text."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from app.checks import registry
from app.checks.base import FileContext, FileFinder
from app.checks.facts.python_paths import is_generated_file
from app.engine.facts_suppressions import find_suppressions
from app.engine.model import GENERATED, FileFacts, RawFinding

ENGINE_VERSION = "1"



@functools.cache
def _source_digest() -> str:
    """Hash the engine's and checks' own source, so any change to how facts are made invalidates them."""
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    root = Path(__file__).resolve().parent.parent
    for folder in ("engine", "checks"):
        for source in sorted((root / folder).rglob("*.py")):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def rules_digest(extra: Iterable[str] = ()) -> str:
    """Return a hash of the engine, its rules and tools, part of every facts cache key."""
    text = "|".join([_source_digest(), *extra])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def analyse_text(path: str, text: str) -> FileFacts:
    """Return the facts of one file: Verity's own findings, extractor data and suppressions."""
    ctx = FileContext(path, text)
    facts = FileFacts(path=path, kind=ctx.kind, loc=count_loc(ctx.lines))
    generated = is_generated_file(path, ctx.lines)
    if generated:
        facts.data[GENERATED] = True
    for check in registry.file_checks():
        if ctx.kind in check.kinds and (check.judges_generated or not generated):
            facts.findings.extend(_run_check(check.find, ctx, check.rule.code))
    for extractor in registry.EXTRACTORS:
        if ctx.kind in extractor.kinds:
            try:
                facts.data[extractor.key] = extractor.extract(ctx)
            except _HOSTILE_INPUT_ERRORS as exc:
                facts.findings.append(_analysis_error(extractor.key, exc))
    facts.suppressions = find_suppressions(ctx)
    return facts


# What a check may raise on odd input; anything else is a bug in Verity and propagates.
_HOSTILE_INPUT_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)


def _run_check(find: FileFinder, ctx: FileContext, code: str) -> list[RawFinding]:
    """Run one check; a check that crashes on hostile input becomes a finding, never a crashed audit."""
    try:
        return list(find(ctx))
    except _HOSTILE_INPUT_ERRORS as exc:
        return [_analysis_error(code, exc)]


def _analysis_error(what: str, exc: BaseException) -> RawFinding:
    """Return the QLT000 finding for a check or extractor that could not analyse a file."""
    return RawFinding("QLT000", 0, f"{what} could not analyse this file ({type(exc).__name__})",
                      snippet=f"analysis-error:{what}")


def count_loc(lines: list[str]) -> int:
    """Return the number of non-blank lines."""
    return sum(map(bool, map(str.strip, lines)))
