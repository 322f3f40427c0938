"""The repository report as JSON (`verity report --format json`), as `docs/standing.schema.json` defines it."""

from __future__ import annotations

from typing import Any

from app.engine.model import Finding
from app.engine.standing import DomainStanding, MetricStanding, Standing
from app.report.evidence import domain_summary, metric_sentence

SCHEMA_VERSION = 1
TOP_FINDINGS_JSON = 50
LISTED_UNITS = 50


def standing_json(standing: Standing, verity_version: str) -> dict[str, Any]:
    """Return the report as a JSON-able dict."""
    return {
        "version": SCHEMA_VERSION,
        "verity_version": verity_version,
        "commit": standing.commit,
        "overall": standing.overall,
        "files": standing.files,
        "domains": [_domain(d) for d in standing.domains],
        "suppressions": [
            {"rule": s.finding.rule, "path": s.finding.path, "line": s.finding.line, "reason": s.reason}
            for s in standing.suppressions
        ],
        "skipped": [{"path": path, "reason": why} for path, why in standing.skipped],
        "excluded": list(standing.excluded),
        "notes": list(standing.notes),
    }


def _domain(domain: DomainStanding) -> dict[str, Any]:
    """Return one domain's score and evidence."""
    return {
        "domain": domain.domain.value,
        "score": domain.score,
        "enabled": domain.enabled,
        "weight": domain.weight,
        "judged_lines": domain.lines,
        "summary": domain_summary(domain),
        "findings": {
            "total": len(domain.findings),
            "by_severity": {sev.value: count for sev, count in domain.severity_counts().items()},
            "by_rule": [{"rule": r, "name": n, "severity": s.value, "count": c} for r, n, s, c in domain.rule_counts()],
            "top": [_finding(f) for f in domain.top_findings(TOP_FINDINGS_JSON)],
        },
        "metrics": [_metric(m) for m in domain.metrics],
        "not_judged": list(domain.not_judged),
    }


def _metric(metric: MetricStanding) -> dict[str, Any]:
    """Return one metric: its counts, cost, sentence and units (all of a checklist, the bad ones of a ratio)."""
    units = metric.units if metric.kind == "checklist" else metric.bad_units[:LISTED_UNITS]
    return {
        "name": metric.name,
        "kind": metric.kind,
        "points": metric.points,
        "penalty": round(metric.penalty, 1),
        "good": metric.good,
        "total": metric.total,
        "summary": metric_sentence(metric),
        "units": [{"path": u.path, "label": u.label, "good": u.good} for u in units],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    """Return one finding as the report lists it."""
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "end_line": finding.end_line or finding.line,
        "message": finding.message,
        "fingerprint": finding.fingerprint,
    }
