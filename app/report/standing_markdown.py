"""The repository report in Markdown; its domain table is also the push check run's summary."""

from __future__ import annotations

import re

from app.engine.model import Finding
from app.engine.standing import DomainStanding, Standing
from app.report.evidence import (
    TOP_FINDINGS,
    findings_summary,
    global_not_judged,
    metric_sentence,
    one_line,
    rules_summary,
    score_label,
    score_text,
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: str) -> str:
    """Escape untrusted text so Markdown and the HTML GitHub allows in it render it literally."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def md_code(text: str) -> str:
    """Return untrusted text as an inline code span that no backtick inside can close."""
    text = one_line(text).replace("|", "\\|")  # a pipe would still split a table cell
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def standing_title(standing: Standing) -> str:
    """Return the report's one-line title, e.g. `Overall 81.7/100`."""
    return f"Overall {score_text(standing.overall)}/100"


def standing_table(standing: Standing) -> list[str]:
    """Return the domain table: one row per domain, then the overall score."""
    lines = ["| Domain | Score | Findings | Metrics |", "|---|---:|---|---|"]
    lines += [_row(d) for d in standing.domains]
    lines.append(f"| **overall** | **{score_text(standing.overall)}** | | |")
    return lines


def _row(domain: DomainStanding) -> str:
    """Return one domain's row of the table."""
    metrics = ", ".join(f"{m.name} {m.good}/{m.total}" for m in domain.metrics if m.units) or "–"
    return f"| {domain.domain.value} | {score_label(domain)} | {findings_summary(domain)} | {metrics} |"


def render_standing_markdown(standing: Standing, top: int = TOP_FINDINGS) -> str:
    """Return the whole report: title, table, every domain's evidence, what was not judged."""
    lines = [f"## Verity report: {standing_title(standing)} at {md_code(standing.commit[:12])}", ""]
    lines += standing_table(standing)
    for domain in standing.domains:
        lines += ["", *_domain_section(domain, top)]
    lines += ["", "### Not judged", ""]
    lines += [f"- {md_text(item)}" for item in global_not_judged(standing)] or ["- nothing: every file was read"]
    if standing.suppressions:
        lines += ["", "### Inline suppressions", ""]
        lines += [f"- {_where(s.finding)} {s.finding.rule}: {md_text(s.reason)}" for s in standing.suppressions]
    return "\n".join(lines).rstrip() + "\n"


def _domain_section(domain: DomainStanding, top: int) -> list[str]:
    """Return one domain's evidence as a Markdown section."""
    lines = [f"### {domain.domain.value}: {score_label(domain)}", ""]
    lines += [f"- metric {md_text(metric_sentence(m))}" for m in domain.metrics if m.units]
    if domain.findings:
        lines.append(f"- findings: {md_text(findings_summary(domain))}; rules: {md_text(rules_summary(domain))}")
        lines += [f"  - {_finding(f)}" for f in domain.top_findings(top)]
        if len(domain.findings) > top:
            lines.append(f"  - … and {len(domain.findings) - top} more")
    else:
        lines.append("- no findings")
    lines += [f"- not judged: {md_text(why)}" for why in domain.not_judged]
    return lines


def _where(finding: Finding) -> str:
    """Return a finding's `path:line` as code."""
    return md_code(finding.location)


def _finding(finding: Finding) -> str:
    """Return one finding as a list item."""
    return f"{_where(finding)} **{finding.severity.value}** {finding.rule} {finding.name}: {md_text(finding.message)}"
