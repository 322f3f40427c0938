"""The corpus benchmark's own logic: percentiles, unexplained moves, outcomes and the summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.engine.cache import MemoryFactsCache
from app.gitrepo.repo import GitError
from bench.corpus import (
    BLOCKED,
    CRASH,
    INPUT_ERROR,
    PASSED,
    CommitResult,
    audit_one,
    audit_repo,
    failure_groups,
    percentile,
    summarise,
    unexplained_moves,
    verdict_problems,
)
from tests.conftest import RepoBuilder


def domain(name: str, delta: float | None, new: int = 0, fixed: int = 0, *explanation: str) -> dict[str, Any]:
    """Return one domain as the JSON report lists it."""
    return {"domain": name, "delta": delta, "new_findings": new, "fixed_findings": fixed,
            "explanation": list(explanation)}


class _FailingRepo:
    """A stand-in repository whose first git call raises the given exception."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def merge_base(self, base: str, head: str) -> str:
        """Raise the exception the test chose."""
        raise self.exc


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([], 0.95) == 0.0


def test_a_density_move_with_no_finding_is_unexplained() -> None:
    moves = unexplained_moves([domain("quality", -0.4, 0, 0, "-0.4 density: judged code 2,354 -> 2,318 lines")])
    assert moves == [{"domain": "quality", "delta": -0.4,
                      "explanation": ["-0.4 density: judged code 2,354 -> 2,318 lines"]}]


@pytest.mark.parametrize("moved", [
    domain("docs", -1.2, 0, 0, "-1.2 metric docstring-coverage: 10/12 -> 9/12 good"),
    domain("security", -5.0, 1, 0, "-5.0 SEC001 hardcoded-secret a.py:3 (high)"),
    domain("security", 5.0, 0, 1, "+5.0 SEC001 hardcoded-secret a.py:3 (high) fixed"),
    domain("ci", 0.0),
    domain("infrastructure", None),
])
def test_a_move_with_evidence_or_no_move_is_not_unexplained(moved: dict[str, Any]) -> None:
    assert unexplained_moves([moved]) == []


def test_summary_counts_outcomes_shares_and_times_per_repo_and_for_well_kept() -> None:
    results = [
        CommitResult("a/kept", "1", "0", "s", PASSED, seconds=1.0,
                     unexplained=[{"domain": "quality", "delta": 0.1, "explanation": []}]),
        CommitResult("a/kept", "2", "1", "s", BLOCKED, seconds=3.0, reasons=["docs: readme lost 6.7 points"]),
        CommitResult("a/kept", "3", "2", "s", CRASH, error="ValueError: x"),
        CommitResult("b/other", "4", "3", "s", PASSED, seconds=2.0),
        CommitResult("b/other", "5", "4", "s", INPUT_ERROR, error="GitError: y"),
    ]
    summary = summarise(results, frozenset({"a/kept"}))
    kept = summary["repos"]["a/kept"]
    assert (kept["audited"], kept["crashes"], kept["blocked"], kept["blocked_share"]) == (3, 1, 1, 0.5)
    assert (kept["median_seconds"], kept["p95_seconds"]) == (2.0, 3.0)  # crashes are not timed
    assert kept["moved_without_evidence"] == {"quality": 1}
    assert summary["total"]["input_errors"] == 1
    assert summary["well_kept"]["audited"] == 3
    assert list(failure_groups(results)) == [(CRASH, "ValueError: x"), (INPUT_ERROR, "GitError: y")]


@pytest.mark.parametrize(("exc", "outcome"), [(GitError("bad ref"), INPUT_ERROR), (KeyError("path"), CRASH)])
def test_an_engine_exception_is_an_input_error_or_a_crash_and_never_stops_the_run(
    exc: Exception, outcome: str
) -> None:
    result = audit_one(_FailingRepo(exc), MemoryFactsCache(), "o/n", ("b" * 40, "a" * 40, "subject"))
    assert result.outcome == outcome
    assert result.error.startswith(type(exc).__name__)
    assert "Traceback" in result.traceback


def test_a_mirror_is_audited_commit_by_commit_against_its_first_parent(tmp_path: Path) -> None:
    repo = RepoBuilder(tmp_path / "corpus" / "o+n" / "repo")
    repo.commit("root", {"app.py": "def f():\n    return 1\n"})
    second = repo.commit("clean", {"app.py": "def f():\n    return 2\n"})
    third = repo.commit("secret", {"settings.py": 'AWS_KEY = "' + "AK" + "IA" + 'IOSFODNN7EXAMPLF"\n'})
    results = audit_repo(tmp_path / "corpus", "o/n", 40)
    # The root commit has no parent to audit against; the others come oldest first.
    assert [(r.sha, r.subject) for r in results] == [(second, "clean"), (third, "secret")]
    assert [r.outcome for r in results] == [PASSED, BLOCKED]
    assert any("security" in reason for reason in results[1].reasons)
    # `--skip` audits an older window: the newest commit left out.
    assert [r.sha for r in audit_repo(tmp_path / "corpus", "o/n", 40, skip=1)] == [second]


def test_verdicts_that_contradict_their_numbers_are_named() -> None:
    domains = [
        {"domain": "security", "base": 90.0, "head": 80.0, "verdict": "regressed", "reasons": [], "blocking": True},
        {"domain": "docs", "base": None, "head": None, "verdict": "unchanged", "reasons": []},
        {"domain": "ci", "base": 60.0, "head": 50.0, "verdict": "worse", "reasons": [], "blocking": True},
        {"domain": "tests", "base": 80.0, "head": 90.0, "verdict": "improved", "reasons": []},
    ]
    assert verdict_problems(domains) == [
        "security: regressed without structured reasons",
        "docs: verdict unchanged with scores None -> None",
        "ci: blocking but verdict worse",
    ]
