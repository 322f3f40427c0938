"""Repo-level results (repo checks and metric units) of one snapshot, cached by commit.

They are a pure function of (engine and rules, policy, commit), so the base of a PR, usually audited
before as the head of an earlier change, costs one cache read instead of every repo check again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.checks.base import MetricUnit, RepoView
from app.checks.registry import METRICS, repo_checks
from app.engine.cache import FactsCache
from app.engine.model import FileFacts, RawFinding
from config.policy import Policy

REPO_KIND = "repo-results"


@dataclass(frozen=True)
class RepoResults:
    """What the repo checks found and every metric's units, for one snapshot."""

    findings: tuple[tuple[str, RawFinding], ...]
    units: dict[str, tuple[MetricUnit, ...]]  # metric name -> units


def repo_results(view: RepoView, policy: Policy, commit: str, digest: str, cache: FactsCache) -> RepoResults:
    """Return a snapshot's repo-level results, from the cache when this commit was judged before."""
    key = f"{digest}:{REPO_KIND}:{policy.digest()}:{commit}"
    cached = cache.get_many([key]).get(key)
    if cached is not None and cached.kind == REPO_KIND:
        return _decode(cached.data)
    results = compute(view)
    cache.put_many({key: FileFacts(path="", kind=REPO_KIND, data=_encode(results))})
    return results


def compute(view: RepoView) -> RepoResults:
    """Run every repo check and metric over one snapshot."""
    findings = tuple((rf.path, rf.finding) for check in repo_checks() for rf in check.find(view))
    return RepoResults(findings, {m.name: tuple(m.units(view)) for m in METRICS})


def _encode(results: RepoResults) -> dict[str, Any]:
    """Return the results as JSON-able data."""
    return {
        "findings": [[path, raw.to_json()] for path, raw in results.findings],
        "units": {name: [[u.path, u.label, u.good] for u in units] for name, units in results.units.items()},
    }


def _decode(data: dict[str, Any]) -> RepoResults:
    """Rebuild results stored by `_encode`."""
    return RepoResults(
        tuple((path, RawFinding.from_json(raw)) for path, raw in data["findings"]),
        {name: tuple(MetricUnit(p, label, good) for p, label, good in units) for name, units in data["units"].items()},
    )
