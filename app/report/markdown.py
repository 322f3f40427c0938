"""The markdown report: exactly the check run's summary, plus the details text."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from app.checks.base import code_span
from app.engine.model import Finding
from app.engine.report import ACCEPTED, REGRESSED, DomainResult, Reason, Report
from app.report.escape import escape_untrusted

TOP_FINDINGS = 10  # other new findings shown before the rest fold into a collapsed section
MAX_LISTED = 500  # per collapsed section; the JSON report and the annotations list every one
HOW_TO_PROCEED = (
    "**How to proceed**",
    "- Fix what blocks, or silence a false positive on its line with a reason: "
    "`# verity: ignore[CODE] why it is safe`.",
    "- Accept a regression on purpose (write access): `/audit accept DOMAIN REASON`.",
    "- Learn what a check means: `/audit explain CODE`; re-run the audit: `/audit`.",
)

Linker = Callable[[str, int], str]


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


def linker(link_base: str | None, sha: str) -> Linker:
    """Return a function that renders `path:line` as a link to the file at a commit, or as code without a base.

    `link_base` is the repository's web address (`https://github.com/OWNER/REPO`).
    """
    def render(path: str, line: int) -> str:
        label = code_span(f"{path}:{line}" if line else path)
        if not link_base:
            return label
        anchor = f"#L{line}" if line else ""
        return f"[{label}]({link_base.rstrip('/')}/blob/{sha}/{quote(path, safe='/')}{anchor})"

    return render


def render_markdown(report: Report, link_base: str | None = None) -> str:
    """Return the check-run summary: the table, every blocker, the other findings, the collapsed lists, the footer."""
    return "\n".join(summary_sections(report, link_base)).rstrip() + "\n"


def summary_sections(report: Report, link_base: str | None = None) -> list[str]:
    """Return the summary as blocks, most important first; the footer is the last block."""
    link = linker(link_base, report.head)
    blocks = ["\n".join(_table(report))]
    blocks += ["\n".join(_blockers(report, link))] if not report.passed else []
    blocks += ["\n".join(lines) for lines in (_accepted(report), _others(report, link)) if lines]
    blocks += [_collapsed(f"Fixed findings ({len(fixed)})", [_finding(f, link) for f in fixed])
               for fixed in [report.fixed_findings()] if fixed]
    if report.suppressions:
        lines = [f"- {link(s.finding.path, s.finding.line)} `{s.finding.rule}`: {escape_untrusted(s.reason)}"
                 for s in report.suppressions]
        blocks.append(_collapsed(f"Suppressed inline ({len(lines)})", lines))
    if report.skipped:
        lines = [f"- {code_span(path)}: {escape_untrusted(why)}" for path, why in report.skipped]
        blocks.append(_collapsed(f"Skipped files ({len(lines)})", lines))
    blocks += [f"Note: {escape_untrusted(note)}" for note in report.notes]
    blocks.append("\n".join(HOW_TO_PROCEED))
    return [b + "\n" for b in blocks]


def _table(report: Report) -> list[str]:
    """Return the domain table: the movement as context, the verdict and why."""
    lines = ["| Domain | Base | Head | Δ | Verdict | Why |", "|---|---:|---:|---:|---|---|"]
    lines += [_row(d) for d in report.domains]
    lines.append(
        f"| **overall** | {_score(report.overall_base)} | {_score(report.overall_head)} | "
        f"{_delta(report.overall_delta)} | {'**pass**' if report.passed else '**fail**'} | |"
    )
    return lines


def _row(d: DomainResult) -> str:
    """Return one table row."""
    verdict = f"**{d.verdict}**" if d.verdict == REGRESSED else d.verdict
    return (f"| {d.domain.value} | {_score(d.base)} | {_score(d.head)} | {_delta(d.delta)} | {verdict} | "
            f"{escape_cell(d.why)} |")


def _blockers(report: Report, link: Linker) -> list[str]:
    """Return every blocking finding, highest severity first, then every metric the PR lowered: never cut."""
    blocking = report.blocking_findings()
    metrics = [(d, r) for d in report.domains if d.blocking for r in d.structured if r.kind == "metric"]
    count = len(blocking) + len(metrics)
    lines = [f"### Blocking ({count})", ""]
    lines += [_finding(f, link) for f in blocking]
    for domain, reason in metrics:
        lines += _metric_reason(domain, reason, link)
    return lines


def _metric_reason(domain: DomainResult, reason: Reason, link: Linker) -> list[str]:
    """Return a metric the PR lowered: the rule that judged it, then each unit with a link to its file."""
    head = reason.text.split("; ", 1)[0].removeprefix(f"{domain.domain.value}: ")
    lines = [f"- **{domain.domain.value}**: {head} ({reason.data.get('points', 0.0):+.1f} points)"]
    # A unit names its file already: add the file's link only when there is one to follow.
    units = [f"  - {text}" + (f" ({target})" if (target := link(path, 0)).startswith("[") else "")
             for path, text in reason.units]
    lines += units[:TOP_FINDINGS]
    if len(units) > TOP_FINDINGS:
        rest = [line.strip() for line in units[TOP_FINDINGS:]]
        lines += ["", _indent(_collapsed(f"{len(rest)} more", rest))]
    return lines


def _indent(block: str) -> str:
    """Indent a block so it stays inside the list item above it."""
    return "\n".join(f"  {line}" if line else line for line in block.splitlines())


def _accepted(report: Report) -> list[str]:
    """Return the regressions accepted with `/audit accept`: who and why."""
    accepted = [d for d in report.domains if d.verdict == ACCEPTED]
    if not accepted:
        return []
    lines = ["### Accepted regressions", ""]
    # `accepted_by` is the check run's marker, `@login: reason`, escaped where it was made.
    lines += [f"- {d.domain.value}: accepted by {d.accepted_by} (it had {escape_untrusted(d.why)})" for d in accepted]
    return lines


def _others(report: Report, link: Linker) -> list[str]:
    """Return the new findings that do not block: the first few, the rest collapsed."""
    blocking = {f.fingerprint for f in report.blocking_findings()}
    others = [f for f in report.new_findings() if f.fingerprint not in blocking]
    if not others:
        return [] if blocking else ["No new findings."]
    lines = [f"### Other new findings ({len(others)})", ""]
    lines += [_finding(f, link) for f in others[:TOP_FINDINGS]]
    rest = others[TOP_FINDINGS:]
    if rest:
        lines += ["", _collapsed(f"{len(rest)} more", [_finding(f, link) for f in rest])]
    return lines


def _collapsed(summary: str, lines: list[str]) -> str:
    """Return a collapsed `<details>` section listing lines (past MAX_LISTED, counted)."""
    shown = lines[:MAX_LISTED]
    if len(lines) > MAX_LISTED:
        shown.append(f"- … and {len(lines) - MAX_LISTED} more (every one is in `verity audit --format json`)")
    return "\n".join([f"<details><summary>{summary}</summary>", "", *shown, "", "</details>"])


def _finding(f: Finding, link: Linker) -> str:
    """Return one finding as a list item: severity, linked location, code, name and message."""
    return f"- **{f.severity.value}** {link(f.path, f.line)} `{f.rule}` {f.name}: {escape_message(f.message)}"


def escape_message(message: str) -> str:
    """Return a finding's message as inert Markdown that keeps its `code` spans as code.

    Messages quote the audited repository, so everything outside a code span is escaped, and a code
    span is rebuilt so nothing inside it can close it; with unbalanced backticks all of it is escaped.
    """
    parts = message.split("`")
    if len(parts) % 2 == 0:
        return escape_untrusted(message)
    return "".join(code_span(part) if index % 2 else _escape_keeping_edges(part) for index, part in enumerate(parts))


def _escape_keeping_edges(text: str) -> str:
    """Escape text that sits between code spans, keeping the spaces that separate it from them."""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and text.strip() else ""
    return lead + escape_untrusted(text) + trail


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
