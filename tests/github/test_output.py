"""The check run's output: limits, annotation batches, levels and the overflow notes."""

from __future__ import annotations

from app.engine.model import Domain, Finding, Severity
from app.engine.report import Report
from app.github import text
from app.github.output import TEXT_LIMIT, annotation, batches, message_output, report_output, truncate


def finding(line: int, severity: Severity = Severity.HIGH, rule: str = "S602") -> Finding:
    """Return a new finding on a line of one file."""
    return Finding(rule=rule, name="shell", domain=Domain.SECURITY, severity=severity, path="a.py", line=line,
                   end_line=line, message=f"shell at {line}", fingerprint=f"fp{line}", status="new")


def report(findings: list[Finding], passed: bool = False) -> Report:
    """Return a report with only new findings."""
    return Report(base="a" * 40, head="b" * 40, passed=passed, reasons=("security: new high",), overall_base=90.0,
                  overall_head=80.0, domains=(), findings=tuple(findings),
                  added_line_fingerprints=frozenset(f.fingerprint for f in findings))


def test_truncate_keeps_the_limit_and_says_so() -> None:
    long = "x" * (TEXT_LIMIT + 10)
    cut = truncate(long)
    assert len(cut) == TEXT_LIMIT
    assert cut.endswith(text.TRUNCATED_NOTE.format(limit=TEXT_LIMIT))
    assert truncate("short") == "short"


def test_batches_are_at_most_50() -> None:
    items = [annotation(finding(i)) for i in range(1, 121)]
    assert [len(b) for b in batches(items)] == [50, 50, 20]
    assert batches([]) == []


def test_annotation_levels_and_whole_file_findings() -> None:
    assert annotation(finding(3, Severity.CRITICAL)).body["annotation_level"] == "failure"
    assert annotation(finding(3, Severity.MEDIUM)).body["annotation_level"] == "warning"
    assert annotation(finding(3, Severity.LOW)).body["annotation_level"] == "notice"
    whole = annotation(finding(0))
    assert (whole.body["start_line"], whole.body["end_line"]) == (1, 1)


def test_report_output_counts_every_finding_and_notes_overflow() -> None:
    found = [finding(i) for i in range(1, 121)]
    out = report_output(report(found), comments_overflow=(100, 20), max_annotations=110)
    assert out.conclusion == "failure"
    assert len(out.annotations) == 110
    assert text.ANNOTATIONS_OVERFLOW.format(count=10, limit=110) in out.summary
    assert text.COMMENTS_OVERFLOW.format(count=100, limit=20) in out.summary
    assert "| Domain | Base | Head | Δ | Verdict |" in out.summary


def test_report_output_stays_within_limits_for_huge_messages() -> None:
    huge = [finding(i) for i in range(1, 11)]
    huge = [Finding(**{**f.__dict__, "message": "m" * 100_000}) for f in huge]
    out = report_output(report(huge, passed=True))
    assert out.conclusion == "success"
    assert len(out.summary) <= TEXT_LIMIT and len(out.text) <= TEXT_LIMIT
    assert all(len(a.body["message"]) <= 65_535 for a in out.annotations)


def test_message_output_has_no_annotations() -> None:
    out = message_output("neutral", text.TITLE_SUPERSEDED, "s")
    assert out.output() == {"title": text.TITLE_SUPERSEDED, "summary": "s"}
