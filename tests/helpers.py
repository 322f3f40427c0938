"""Helpers for tests: run checks on in-memory files."""

from __future__ import annotations

from collections.abc import Mapping

from app.checks.base import MetricUnit, RepoView
from app.checks.registry import METRICS, repo_checks
from app.engine.facts import analyse_text
from app.engine.model import FileFacts, RawFinding
from config.policy import Policy, default_policy


def file_findings(path: str, text: str, code: str | None = None) -> list[RawFinding]:
    """Return the findings Verity's file checks report on one file, optionally of one code."""
    found = analyse_text(path, text).findings
    return [f for f in found if code is None or f.code == code]


def repo_view(files: Mapping[str, str], policy: Policy | None = None) -> RepoView:
    """Return a RepoView over in-memory files, analysed by every file check and extractor."""
    facts: dict[str, FileFacts] = {path: analyse_text(path, text) for path, text in files.items()}
    return RepoView(files=facts, all_paths=frozenset(files), policy=policy or default_policy())


def repo_findings(files: Mapping[str, str], code: str, policy: Policy | None = None) -> list[tuple[str, RawFinding]]:
    """Return (path, finding) pairs of one repo check over in-memory files."""
    view = repo_view(files, policy)
    out: list[tuple[str, RawFinding]] = []
    for check in repo_checks():
        if check.rule.code == code:
            out.extend((rf.path, rf.finding) for rf in check.find(view))
    return out


def metric_units(files: Mapping[str, str], name: str, policy: Policy | None = None) -> list[MetricUnit]:
    """Return the units of one metric over in-memory files."""
    view = repo_view(files, policy)
    for metric in METRICS:
        if metric.name == name:
            return metric.units(view)
    raise KeyError(name)
