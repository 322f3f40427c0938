"""The repository report for terminals (`verity report --format text`)."""

from __future__ import annotations

from app.engine.standing import DomainStanding, Standing
from app.report.evidence import (
    TOP_FINDINGS,
    domain_summary,
    finding_text,
    global_not_judged,
    metric_sentence,
    rules_summary,
    score_label,
    score_text,
)


def render_standing_text(standing: Standing) -> str:
    """Return the report: the score table, then every domain's evidence, then what was not judged."""
    lines = [f"Verity report at {standing.commit[:12]}: overall {score_text(standing.overall)}/100", ""]
    lines.append(f"{'domain':<15} {'score':>8}  evidence")
    lines.extend(f"{d.domain.value:<15} {score_label(d):>8}  {domain_summary(d)}" for d in standing.domains)
    lines.append(f"{'overall':<15} {score_text(standing.overall):>8}")
    for domain in standing.domains:
        lines += ["", *_domain_lines(domain)]
    lines += ["", "not judged:"]
    lines += [f"  {item}" for item in global_not_judged(standing)] or ["  nothing: every file was read"]
    if standing.suppressions:
        lines += ["", f"suppressed inline ({len(standing.suppressions)}):"]
        lines += [f"  {s.finding.location}: {s.finding.rule} ({s.reason})" for s in standing.suppressions]
    return "\n".join(lines) + "\n"


def _domain_lines(domain: DomainStanding) -> list[str]:
    """Return one domain's section: score, metrics, top findings, what it did not judge."""
    lines = [f"{domain.domain.value}: {score_label(domain)}"]
    lines += [f"  metric {metric_sentence(m)}" for m in domain.metrics if m.units]
    if domain.findings:
        lines.append(f"  rules: {rules_summary(domain)}")
        lines += [f"  {finding_text(f)}" for f in domain.top_findings(TOP_FINDINGS)]
        if len(domain.findings) > TOP_FINDINGS:
            lines.append(f"  ... and {len(domain.findings) - TOP_FINDINGS} more findings")
    lines += [f"  not judged: {why}" for why in domain.not_judged]
    return lines
