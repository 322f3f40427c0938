"""The standing of one commit: the audit's head side, its evidence, and its cost on a warm cache."""

from __future__ import annotations

from collections.abc import Mapping

from app.checks.base import MetricUnit
from app.engine.cache import MemoryFactsCache
from app.engine.model import Domain, FileFacts, Finding, Severity
from app.engine.standing import DomainStanding, MetricStanding, standing_at
from app.gitrepo.repo import GitRepo
from app.report.evidence import metric_sentence
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import run_audit

BASE = {
    "README.md": "# Demo\n\n## Install\n\npip install demo\n",
    "app/core.py": '"""Core."""\n\n\ndef double(value):\n    twice = value * 2\n    return twice\n',
}
HEAD = {
    "app/runner.py": (
        'import subprocess\n\n\ndef run(cmd):\n    """Run."""\n    code = len(cmd)\n'
        "    return subprocess.call(cmd, shell=True) + code\n"
    ),
    "app/loose.py": "def loose(x):\n    try:\n        return x()\n    except:\n        pass\n",
    "tests/test_core.py": "from app.core import double\n\n\ndef test_double():\n    assert double(2) == 4\n",
}


class RecordingCache(MemoryFactsCache):
    """A real in-memory cache that also records how many entries each `put_many` stored."""

    def __init__(self) -> None:
        super().__init__()
        self.stored: list[int] = []

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        """Store facts and record how many."""
        self.stored.append(len(items))
        super().put_many(items)


def test_standing_scores_equal_the_head_scores_of_an_audit(repo: RepoBuilder) -> None:
    base = repo.commit("base", BASE)
    head = repo.commit("head", HEAD)
    report = run_audit(repo, base, head)
    result = standing_at(GitRepo(repo.root), head, MemoryFactsCache())
    assert [d.score for d in result.domains] == [d.head for d in report.domains]
    assert result.overall == report.overall_head
    security = result.domain(Domain.SECURITY)
    assert [(f.rule, f.location) for f in security.findings] == [("S602", "app/runner.py:7")]
    # A finding keeps the fingerprint the PR audit gave it.
    new = {f.fingerprint for f in report.new_findings()}
    assert {f.fingerprint for d in result.domains for f in d.findings} <= new


def test_a_warm_cache_makes_the_standing_of_an_audited_commit_a_cache_read(repo: RepoBuilder) -> None:
    base = repo.commit("base", BASE)
    head = repo.commit("head", HEAD)
    cache = RecordingCache()
    run_audit(repo, base, head, cache)
    cache.stored.clear()
    standing_at(GitRepo(repo.root), head, cache)
    assert cache.stored == []  # no file analysed and no repo check run again


def test_an_unaudited_commit_is_analysed_once(repo: RepoBuilder) -> None:
    head = repo.commit("head", {**BASE, **HEAD})
    cache = RecordingCache()
    first = standing_at(GitRepo(repo.root), head, cache)
    assert sum(cache.stored) == len(BASE) + len(HEAD) + 1  # every file, then the repo-level results
    cache.stored.clear()
    assert standing_at(GitRepo(repo.root), head, cache) == first
    assert cache.stored == []


def _metric(name: str, units: list[tuple[str, str, bool]], points: float = 40.0) -> MetricStanding:
    """Return a metric standing over made-up units, as a metric added later would produce."""
    made = tuple(MetricUnit(path, label, good) for path, label, good in units)
    bad = sum(1 for unit in made if not unit.good)
    return MetricStanding(name, points, "", made, points * bad / len(made) if made else 0.0)


def test_an_unknown_checklist_metric_renders_by_its_own_names() -> None:
    metric = _metric("ci-capabilities", [(".github/workflows/ci.yml", "CI runs the tests", True),
                                         (".github/workflows/ci.yml", "CI runs a linter", True),
                                         (".github/workflows", "CI runs a secret scan", False)], 30.0)
    assert metric.kind == "checklist"
    assert metric_sentence(metric) == (
        "ci-capabilities: CI runs the tests ✓, CI runs a linter ✓, CI runs a secret scan ✗ (costs 10.0 of 30 points)"
    )


def test_ratio_metrics_render_their_counts_and_what_is_missing() -> None:
    shared = _metric("modules-with-a-test", [(f"m{i}.py", "tested", i < 2) for i in range(8)])
    assert shared.kind == "ratio"
    assert metric_sentence(shared) == (
        "modules-with-a-test: 2 of 8 tested (25%); not tested: m2.py, m3.py, m4.py, m5.py, m6.py and 1 more "
        "(costs 30.0 of 40 points)"
    )
    named = _metric("documented", [("a.py", "Thing.run", True), ("a.py", "helper", False)], 50.0)
    assert named.kind == "ratio"  # labels named after code are units of a ratio, not a checklist
    assert metric_sentence(named) == "documented: 1 of 2 good (50%); not good: a.py::helper (costs 25.0 of 50 points)"


def _finding(rule: str, severity: Severity, path: str, line: int) -> Finding:
    """Return a finding for ranking tests."""
    return Finding(rule, rule.lower(), Domain.QUALITY, severity, path, line, line, "m", f"{rule}{path}{line}")


def test_top_findings_show_each_rule_before_repeats_and_rules_merge_severities() -> None:
    findings = (
        _finding("B1", Severity.HIGH, "a.py", 1),
        _finding("A1", Severity.LOW, "a.py", 1), _finding("A1", Severity.LOW, "a.py", 2),
        _finding("A1", Severity.LOW, "a.py", 3), _finding("C1", Severity.LOW, "z.py", 9),
        _finding("C1", Severity.MEDIUM, "z.py", 10),
    )
    ordered = tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.path, f.line)))
    domain = DomainStanding(Domain.QUALITY, 90.0, True, 1.0, 100, ordered, (), 0, ())
    assert [(f.rule, f.line) for f in domain.top_findings(4)] == [("B1", 1), ("C1", 10), ("A1", 1), ("A1", 2)]
    assert [(r, s.value, c) for r, _, s, c in domain.rule_counts()] == [
        ("A1", "low", 3), ("C1", "medium", 2), ("B1", "high", 1)
    ]
