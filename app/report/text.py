"""The text report, for terminals."""

from __future__ import annotations

from app.engine.report import Report
from app.report.markdown import title


def _fmt(value: float | None, signed: bool = False) -> str:
    """Format a score, a delta or n/a."""
    if value is None:
        return "n/a"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def render_text(report: Report) -> str:
    """Return the report for a terminal: verdict, domain table, explanations, new findings."""
    lines = [f"Verity {report.base[:12]}..{report.head[:12]}: {title(report)}", ""]
    lines.append(f"{'domain':<15} {'base':>6} {'head':>6} {'delta':>6}  verdict")
    lines.extend(f"{d.domain.value:<15} {_fmt(d.base):>6} {_fmt(d.head):>6} {_fmt(d.delta, True):>6}  {d.verdict}"
                 for d in report.domains)
    lines.append(
        f"{'overall':<15} {_fmt(report.overall_base):>6} {_fmt(report.overall_head):>6} "
        f"{_fmt(report.overall_delta, True):>6}  {'pass' if report.passed else 'FAIL'}"
    )
    lines.extend(f"  gate: {reason}" for reason in report.reasons)
    for d in report.domains:
        if d.explanation:
            lines += ["", f"{d.domain.value}:"] + [f"  {e.render()}" for e in d.explanation]
    new = report.new_findings()
    if new:
        lines += ["", f"new findings ({len(new)}):"]
        lines += [f"  {f.location}: {f.rule} [{f.severity.value}] {f.message}" for f in new]
    if report.suppressions:
        lines += ["", f"suppressed inline ({len(report.suppressions)}):"]
        lines += [f"  {s.finding.location}: {s.finding.rule} ({s.reason})" for s in report.suppressions]
    if report.skipped:
        lines += ["", f"skipped files: {len(report.skipped)}"]
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines) + "\n"
