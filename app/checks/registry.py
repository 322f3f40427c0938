"""The one registry table: every check, extractor and metric Verity runs.

Codes are never reused: a retired check keeps its line, commented out, with the reason.
Each domain has its own section; keep entries in code order.
"""

from __future__ import annotations

import functools

from app.checks.base import Extractor, FileCheck, Metric, RepoCheck
from app.checks.facts import yaml_manifest
from app.checks.quality import analysis_error, long_function, syntax_error, unexplained_suppression

# --- checks ---------------------------------------------------------------
CHECKS: tuple[FileCheck | RepoCheck, ...] = (
    # quality
    analysis_error.CHECK,
    syntax_error.CHECK,
    unexplained_suppression.CHECK,
    long_function.CHECK,
    # security
    # tests
    # dependencies
    # docs
    # architecture
    # ci
    # infrastructure
    # observability
    # performance
)

# --- extractors (facts for repo checks and metrics) ------------------------
EXTRACTORS: tuple[Extractor, ...] = (
    # extractors
    yaml_manifest.EXTRACTOR,
)

# --- ratio and checklist metrics -------------------------------------------
METRICS: tuple[Metric, ...] = (
    # metrics
)


@functools.cache
def checks_by_code() -> dict[str, FileCheck | RepoCheck]:
    """Return every check keyed by its code."""
    return {check.rule.code: check for check in CHECKS}


def file_checks() -> tuple[FileCheck, ...]:
    """Return the checks that read one file at a time."""
    return tuple(c for c in CHECKS if isinstance(c, FileCheck))


def repo_checks() -> tuple[RepoCheck, ...]:
    """Return the checks that read the whole snapshot's facts."""
    return tuple(c for c in CHECKS if isinstance(c, RepoCheck))
