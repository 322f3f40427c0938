"""Helpers for tests: run checks on in-memory files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from app.checks.base import MetricUnit, RepoView
from app.checks.reads import EVERYTHING, FINDINGS, KIND, LOC, SKIPPED, SUPPRESSIONS, base_name, recording
from app.checks.registry import METRICS, repo_checks
from app.engine.facts import analyse_text
from app.engine.model import FileFacts, RawFinding
from app.engine.repo_facts import watched_view
from config.policy import Policy, default_policy

_T = TypeVar("_T")


def file_findings(path: str, text: str, code: str | None = None) -> list[RawFinding]:
    """Return the findings Verity's file checks report on one file, optionally of one code."""
    found = analyse_text(path, text).findings
    return [f for f in found if code is None or f.code == code]


def repo_view(files: Mapping[str, str], policy: Policy | None = None) -> RepoView:
    """Return a RepoView over in-memory files, analysed by every file check and extractor."""
    facts: dict[str, FileFacts] = {path: analyse_text(path, text) for path, text in files.items()}
    return RepoView(files=facts, all_paths=frozenset(files), policy=policy or default_policy())


def repo_findings(files: Mapping[str, str], code: str, policy: Policy | None = None) -> list[tuple[str, RawFinding]]:
    """Return (path, finding) pairs of one repo check over in-memory files (checked to record what it reads)."""
    view = repo_view(files, policy)
    out: list[tuple[str, RawFinding]] = []
    for check in repo_checks():
        if check.rule.code == code:
            out.extend(recorded_run(view, lambda v, c=check: [(rf.path, rf.finding) for rf in c.find(v)]))
    return out


def metric_units(files: Mapping[str, str], name: str, policy: Policy | None = None) -> list[MetricUnit]:
    """Return the units of one metric over in-memory files (checked to record what it reads)."""
    view = repo_view(files, policy)
    for metric in METRICS:
        if metric.name == name:
            return recorded_run(view, metric.units)
    raise KeyError(name)


def recorded_run(view: RepoView, run: Callable[[RepoView], list[_T]]) -> list[_T]:
    """Run a repo check or metric on a view that records its reads, and assert the reads are all it used.

    With every fact it did not record taken away, it must give the same result: a PR's head reuses the
    base's result of a check whose recorded facts did not change (app/engine/repo_facts.py).
    """
    with recording() as seen:
        result = run(watched_view(view))
    assert run(stripped_view(view, frozenset(seen))) == result, f"{run} read facts it did not record"
    return result


def stripped_view(view: RepoView, reads: frozenset[str]) -> RepoView:
    """Return the view with every fact not in `reads` taken away (data keys) or blanked (fields).

    A fact read only in part (`projected`) is kept whole: whether the projection keeps all that the
    check uses is tested by comparing reused results with fresh ones (tests/engine/test_repo_reuse.py).
    """
    reads = frozenset(base_name(name) for name in reads)
    if EVERYTHING in reads:
        return view
    files = {
        path: FileFacts(
            path=path, kind=facts.kind if KIND in reads else "stripped", loc=facts.loc if LOC in reads else -1,
            findings=facts.findings if FINDINGS in reads else [],
            data={key: value for key, value in facts.data.items() if key in reads},
            suppressions=facts.suppressions if SUPPRESSIONS in reads else {},
            skipped=facts.skipped if SKIPPED in reads else "",
        )
        for path, facts in view.files.items()
    }
    return RepoView(files=files, all_paths=view.all_paths, policy=view.policy, environments=view.environments)
