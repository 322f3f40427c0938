"""Repo-level results (repo checks and metric units) of one snapshot, cached by commit.

They are a pure function of (engine and rules, policy, commit), so the base of a PR, usually audited
before as the head of an earlier change, costs one cache read instead of every repo check again.
The head of a PR is new, yet most of its checks read nothing the PR changed: each check's result is
stored with the facts it read (`app.checks.reads`), and the head reuses the base's result of every
check whose reads are equal in the files the PR changed, when both trees list the same paths.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar, cast

from app.checks.base import Metric, MetricUnit, RepoCheck, RepoView
from app.checks.reads import Staged, Stages, WatchedFacts, recording, same_reads, staging
from app.checks.registry import METRICS, repo_checks
from app.engine.cache import FactsCache
from app.engine.model import FileFacts, RawFinding
from config.policy import Policy

REPO_KIND = "repo-results"
_R = TypeVar("_R")

Located = tuple[tuple[str, RawFinding], ...]  # (path, finding) pairs


@dataclass(frozen=True)
class RepoResults:
    """What each repo check found and every metric's units, for one snapshot, with what each of them read."""

    found: dict[str, Located]  # repo check code -> its findings
    units: dict[str, tuple[MetricUnit, ...]]  # metric name -> units
    reads: dict[str, frozenset[str]]  # check code or metric name -> the facts it read
    stages: dict[str, Staged] = field(default_factory=dict)  # intermediate results, with their reads

    @property
    def findings(self) -> Located:
        """Return every repo check's findings, in registry order."""
        return tuple(item for found in self.found.values() for item in found)


# Whether a check or metric that read these facts on an earlier snapshot may keep its result.
Reusable = Callable[[frozenset[str]], bool]


def repo_results(view: RepoView, policy: Policy, commit: str, digest: str, cache: FactsCache,
                 earlier: tuple[RepoView, RepoResults] | None = None) -> RepoResults:
    """Return a snapshot's repo-level results: cached for this commit, else computed reusing `earlier`'s.

    `earlier` is another snapshot of the same repository under the same policy (a PR's base) and
    its results.
    """
    key = f"{digest}:{REPO_KIND}:{policy.digest()}:{commit}"
    cached = cache.get_many([key]).get(key)
    if cached is not None and cached.kind == REPO_KIND:
        return _decode(cached.data)
    results = compute(view) if earlier is None else compute(view, earlier[1], reusable_from(earlier[0], view))
    cache.put_many({key: FileFacts(path="", kind=REPO_KIND, data=_encode(results))})
    return results


def _never(reads: frozenset[str]) -> bool:
    """Reuse nothing (no earlier snapshot, or one that lists other paths)."""
    return False


def compute(view: RepoView, earlier: RepoResults | None = None, reusable: Reusable = _never) -> RepoResults:
    """Run every repo check and metric over one snapshot, keeping `earlier`'s results that `reusable` allows."""
    watched = watched_view(view)
    before = earlier or RepoResults({}, {}, {})
    reads: dict[str, frozenset[str]] = {}

    def result(name: str, run: Callable[[], _R], kept: Mapping[str, _R]) -> _R:
        """Return one check's or metric's result: the earlier one when its reads allow, else run and recorded."""
        if name in kept and name in before.reads and reusable(before.reads[name]):
            reads[name] = before.reads[name]
            return kept[name]
        with recording() as seen:
            value = run()
        reads[name] = frozenset(seen)
        return value

    with staging(Stages(before.stages, reusable)) as stages:
        found = {check.rule.code: result(check.rule.code, partial(_findings, check, watched), before.found)
                 for check in repo_checks()}
        units = {metric.name: result(metric.name, partial(_units, metric, watched), before.units)
                 for metric in METRICS}
    return RepoResults(found, units, reads, stages.kept())


def _findings(check: RepoCheck, view: RepoView) -> Located:
    """Return what one repo check finds (the generator consumed while its reads are recorded)."""
    return tuple((rf.path, rf.finding) for rf in check.find(view))


def _units(metric: Metric, view: RepoView) -> tuple[MetricUnit, ...]:
    """Return one metric's units."""
    return tuple(metric.units(view))


def watched_view(view: RepoView) -> RepoView:
    """Return a view of the same snapshot whose facts record what each check reads."""
    # WatchedFacts has every field of FileFacts a check reads, each as a recording property.
    files = {path: cast(FileFacts, WatchedFacts(facts)) for path, facts in view.files.items()}
    return RepoView(files=files, all_paths=view.all_paths, policy=view.policy, environments=view.environments,
                    symlinks=view.symlinks)


def reusable_from(earlier: RepoView, view: RepoView) -> Reusable:
    """Return which recorded reads stay valid from an earlier snapshot to this one.

    Both must list the same paths, symlinks and analysed files under the same policy and environments: a
    check may read the listing itself. Then a check keeps its result when every fact it read is equal in
    every file whose facts differ (files with the same blob share one facts object).
    """
    if (view.all_paths != earlier.all_paths or view.files.keys() != earlier.files.keys()
            or view.environments != earlier.environments or view.policy.digest() != earlier.policy.digest()
            or view.symlinks != earlier.symlinks):
        return _never
    changed = [(earlier.files[path], facts) for path, facts in view.files.items() if facts is not earlier.files[path]]

    def reusable(reads: frozenset[str]) -> bool:
        return all(same_reads(reads, before, after) for before, after in changed)

    return reusable


def _encode(results: RepoResults) -> dict[str, Any]:
    """Return the results as JSON-able data."""
    return {
        "found": {code: [[path, raw.to_json()] for path, raw in found] for code, found in results.found.items()},
        "units": {name: [[u.path, u.label, u.good] for u in units] for name, units in results.units.items()},
        "reads": {name: sorted(reads) for name, reads in results.reads.items()},
        "stages": {name: [value, sorted(reads)] for name, (value, reads) in results.stages.items()},
    }


def _decode(data: dict[str, Any]) -> RepoResults:
    """Rebuild results stored by `_encode`."""
    return RepoResults(
        {code: tuple((path, RawFinding.from_json(raw)) for path, raw in found)
         for code, found in data["found"].items()},
        {name: tuple(MetricUnit(p, label, good) for p, label, good in units) for name, units in data["units"].items()},
        {name: frozenset(reads) for name, reads in data["reads"].items()},
        {name: (value, frozenset(reads)) for name, (value, reads) in data["stages"].items()},
    )
