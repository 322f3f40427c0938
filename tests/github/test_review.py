"""Planning review comments: only new findings on added lines, never twice, capped."""

from __future__ import annotations

from app.engine.model import Severity
from app.engine.snapshot import Diff, FileChange
from app.github.review import MARKER_RE, comment_body, marker, on_added_line, plan_comments
from tests.github.test_output import finding, report

DIFF = Diff(changes=(FileChange("modified", "a.py", "a.py", frozenset({2, 3, 4})),))


def test_only_added_lines_are_commented() -> None:
    rep = report([finding(3), finding(9)])
    planned, overflow = plan_comments(rep, DIFF, set(), 20)
    assert [(c.path, c.line) for c in planned] == [("a.py", 3)]
    assert overflow == 0


def test_already_commented_findings_are_skipped() -> None:
    rep = report([finding(2), finding(3)])
    planned, _ = plan_comments(rep, DIFF, {"fp2"}, 20)
    assert [c.fingerprint for c in planned] == ["fp3"]


def test_cap_keeps_the_most_severe_and_counts_the_rest() -> None:
    rep = report([finding(2, Severity.LOW), finding(3, Severity.CRITICAL), finding(4, Severity.MEDIUM)])
    planned, overflow = plan_comments(rep, DIFF, set(), 1)
    assert [c.line for c in planned] == [3]
    assert overflow == 2


def test_comment_outside_the_diff_is_never_planned_even_if_the_report_says_added() -> None:
    assert not on_added_line(DIFF, "a.py", 9)
    assert not on_added_line(DIFF, "b.py", 2)
    assert not on_added_line(DIFF, "a.py", 0)


def test_marker_round_trips_and_cannot_break_the_comment() -> None:
    body = comment_body(finding(3))
    assert MARKER_RE.findall(body) == ["fp3"]
    assert marker("x --> <script>") == "<!-- verity:fp=x_--___script_ -->"
    assert comment_body(finding(3)).startswith("**S602** `shell` (high): shell at 3")
