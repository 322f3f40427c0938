"""The markdown report: exactly the check run's summary, plus the details text."""

from __future__ import annotations

from app.engine.report import DomainResult, Report

TOP_FINDINGS = 10


def _score(value: float | None) -> str:
    """Format a score or n/a."""
    return "n/a" if value is None else f"{value:.1f}"


def _delta(value: float | None) -> str:
    """Format a delta with its sign."""
    return "" if value is None else f"{value:+.1f}"


def escape_cell(text: str) -> str:
    """Escape text for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def title(report: Report) -> str:
    """Return the verdict in one line."""
    new = len(report.new_findings())
    if report.passed:
        return f"Passed: no blocking regression ({new} new findings, {len(report.fixed_findings())} fixed)"
    blocked = [d.domain.value for d in report.domains if d.blocking]
    return f"Failed: {', '.join(blocked)} regressed"


def render_markdown(report: Report) -> str:
    """Return the check-run summary: the table, the gate's reasons and the top new findings."""
    lines = [f"## Verity: {title(report)}", ""]
    lines += ["| Domain | Base | Head | Δ | Verdict |", "|---|---:|---:|---:|---|"]
    lines += [_row(d) for d in report.domains]
    lines.append(
        f"| **overall** | {_score(report.overall_base)} | {_score(report.overall_head)} | "
        f"{_delta(report.overall_delta)} | {'pass' if report.passed else 'fail'} |"
    )
    lines.append("")
    if report.reasons:
        lines += ["### Why the gate failed", ""] + [f"- {escape_cell(r)}" for r in report.reasons] + [""]
    accepted = [d for d in report.domains if d.accepted_by]
    if accepted:
        lines += ["### Accepted regressions", ""]
        lines += [f"- {d.domain.value}: accepted by {escape_cell(d.accepted_by or '')}" for d in accepted]
        lines.append("")
    lines += _top_findings(report)
    if report.suppressions:
        lines += ["", f"{len(report.suppressions)} findings suppressed inline (listed in the details)."]
    if report.skipped:
        lines += ["", f"{len(report.skipped)} files skipped (binary, over 1 MB, not UTF-8, symlinks or submodules)."]
    lines += [f"\nNote: {escape_cell(note)}" for note in report.notes]
    return "\n".join(lines).rstrip() + "\n"


def _row(d: DomainResult) -> str:
    """Return one table row."""
    return f"| {d.domain.value} | {_score(d.base)} | {_score(d.head)} | {_delta(d.delta)} | {d.verdict} |"


def _top_findings(report: Report) -> list[str]:
    """Return the list of the most severe new findings."""
    new = report.new_findings()
    if not new:
        return ["No new findings."]
    lines = [f"### New findings ({len(new)})", ""]
    lines.extend(f"- **{f.severity.value}** `{f.rule}` {f.name} at `{f.location}`: {escape_cell(f.message)}"
                 for f in new[:TOP_FINDINGS])
    if len(new) > TOP_FINDINGS:
        lines.append(f"- … and {len(new) - TOP_FINDINGS} more")
    fixed = report.fixed_findings()
    if fixed:
        lines += ["", f"Fixed findings: {len(fixed)}."]
    return lines


def render_details(report: Report) -> str:
    """Return every domain's explanation, suppressions and skipped files (the check run's text)."""
    lines: list[str] = []
    for d in report.domains:
        lines.append(f"### {d.domain.value}: {_score(d.base)} -> {_score(d.head)} ({d.verdict})")
        lines += [f"- {escape_cell(e.render())}" for e in d.explanation] or ["- no change"]
        lines += [f"- gate: {escape_cell(r)}" for r in d.reasons]
        lines.append("")
    if report.suppressions:
        lines += ["### Inline suppressions", ""]
        lines += [
            f"- `{s.finding.rule}` at `{s.finding.location}`: {escape_cell(s.reason)}" for s in report.suppressions
        ]
        lines.append("")
    if report.skipped:
        lines += ["### Skipped files", ""] + [f"- `{p}`: {why}" for p, why in report.skipped[:100]]
        if len(report.skipped) > 100:
            lines.append(f"- … and {len(report.skipped) - 100} more")
    return "\n".join(lines).rstrip() + "\n"
