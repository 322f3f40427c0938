"""When an acceptance holds and when it lapses; auditing under acceptances; the trail."""

from __future__ import annotations

import pytest

from app.engine.model import Domain, Finding, Severity
from app.engine.pipeline import Acceptances
from app.engine.report import Report
from app.jobs.acceptances import accept_state, evaluate, for_engine, lapse_reason, render_trail
from app.jobs.commands import text
from app.report.escape import escape_untrusted
from app.store.acceptances import Acceptance, TrailEntry
from config.policy import default_policy, load_policy
from tests.commands.reports import finding, report

SEC = Domain.SECURITY
ACCEPTED = Acceptance(SEC, "wendy", "tracked in JIRA-12", "2024-05-01T10:00:00Z", "a" * 40, 77.9, frozenset({"fp1"}))


def test_accept_state_records_the_head_score_and_new_fingerprints() -> None:
    at_head = report(77.9, [finding("fp1"), finding("old", status="fixed"), finding("q", domain=Domain.QUALITY)])
    assert accept_state(at_head, SEC) == (77.9, frozenset({"fp1"}))


@pytest.mark.parametrize(("head", "findings"), [
    (77.9, [finding("fp1")]),  # the same state
    (80.0, [finding("fp1")]),  # better: clean code added
    (77.4, [finding("fp1")]),  # worse by exactly the tolerance (0.5)
    (77.5, [finding("fp1"), finding("low1", Severity.LOW)]),  # a new finding below the gate
    (77.9, [finding("fp1"), finding("q1", domain=Domain.QUALITY)]),  # a new finding elsewhere
    (100.0, []),  # fixed: the acceptance stays, inert
])
def test_an_acceptance_holds_until_the_domain_gets_worse(head: float, findings: list[Finding]) -> None:
    assert lapse_reason(ACCEPTED, report(head, findings), default_policy()) is None


def test_a_new_finding_at_or_above_the_gate_lapses_it() -> None:
    worse = report(77.9, [finding("fp1"), finding("fp2", Severity.MEDIUM, path="demo/<b>@x.py")])
    assert lapse_reason(ACCEPTED, worse, default_policy()) == text.LAPSED_NEW_FINDING.format(
        domain="security", severity="medium", rule="S602", location=escape_untrusted("demo/<b>@x.py:8"))


def test_a_score_drop_beyond_the_tolerance_lapses_it() -> None:
    assert lapse_reason(ACCEPTED, report(77.3, [finding("fp1")]), default_policy()) == text.LAPSED_SCORE.format(
        domain="security", head=77.3, accepted=77.9, tolerance=0.5)


def test_the_policy_sets_the_gate_severity_and_tolerance() -> None:
    lenient = load_policy('[gate]\nseverity = "high"\ntolerance = 3.0\n')
    medium = report(75.0, [finding("fp1"), finding("fp2", Severity.MEDIUM)])
    assert lapse_reason(ACCEPTED, medium, lenient) is None
    assert lapse_reason(ACCEPTED, report(74.8, [finding("fp1")]), lenient) is not None


def test_evaluate_audits_once_when_all_hold_and_again_without_the_lapsed() -> None:
    docs = Acceptance(Domain.DOCS, "ada", "ok", "t", "a" * 40, 90.0)
    seen: list[set[Domain]] = []

    def audit(accepted: Acceptances) -> Report:
        seen.append(set(accepted))
        return report(77.9, [finding("fp1")] + ([finding("fp9")] if len(seen) >= 2 else []))

    _, lapsed = evaluate({SEC: ACCEPTED, Domain.DOCS: docs}, audit, default_policy())
    assert (seen, lapsed) == ([{SEC, Domain.DOCS}], [])
    final, lapsed = evaluate({SEC: ACCEPTED, Domain.DOCS: docs}, audit, default_policy())
    assert [a.domain for a, _ in lapsed] == [SEC]
    assert seen[1:] == [{SEC, Domain.DOCS}, {Domain.DOCS}]
    assert {f.fingerprint for f in final.new_findings()} == {"fp1", "fp9"}  # the report of the last audit


def test_the_engine_marks_the_domain_with_who_and_the_escaped_reason() -> None:
    hostile = Acceptance(SEC, "wendy", "<img src=x> @org/team", "t", "a" * 40, 1.0)
    assert for_engine({SEC: hostile}) == {SEC: (f"@wendy: {escape_untrusted(hostile.reason)}", hostile.reason)}


def test_acceptances_and_trail_entries_round_trip() -> None:
    assert Acceptance.from_json(ACCEPTED.to_json()) == ACCEPTED
    entry = TrailEntry("revoked", SEC, "wendy", "t", "b" * 40, by="max")
    assert TrailEntry.from_json(entry.to_json()) == entry


def test_the_trail_lists_every_event_with_user_text_escaped() -> None:
    entries = [
        TrailEntry("accepted", SEC, "wendy", "t1", "a" * 40, "[x](https://e.x)"),
        TrailEntry("revoked", SEC, "wendy", "t2", "b" * 40, by="max"),
        TrailEntry("lapsed", SEC, "ada", "t3", "c" * 40, "security got worse"),
    ]
    assert render_trail(entries).splitlines() == [
        text.TRAIL_TITLE, "",
        text.TRAIL_ACCEPTED.format(domain="security", login="wendy", at="t1", sha="a" * 12,
                                   reason=escape_untrusted("[x](https://e.x)")),
        text.TRAIL_REVOKED.format(domain="security", accepted_by="wendy", login="max", at="t2", sha="b" * 12),
        text.TRAIL_LAPSED.format(domain="security", login="ada", at="t3", sha="c" * 12, reason="security got worse"),
    ]
    assert render_trail([]) == ""
