"""`verity explain DOMAIN`: how a domain's score is computed, generated from the live tables."""

from __future__ import annotations

from app.checks.registry import CHECKS, METRICS
from app.checks.ruff_rules import RUFF_MAP
from app.engine.model import SEVERITY_WEIGHT, Domain
from app.engine.scoring import FLOOR_LINES, JUDGED_KINDS, TAU


def domain_doc(domain: Domain) -> str:
    """Return the scoring documentation of one domain."""
    metrics = [m for m in METRICS if m.domain is domain]
    checks = sorted((c.rule for c in CHECKS if c.rule.domain is domain), key=lambda r: r.code)
    ruff = sorted(prefix for prefix, (dom, _sev) in RUFF_MAP.items() if dom is domain)
    weights = ", ".join(f"{s.value} {w}" for s, w in SEVERITY_WEIGHT.items())
    lines = [
        f"# {domain.value}",
        "",
        f"Judged files: {', '.join(sorted(JUDGED_KINDS[domain]))}. The domain is n/a (null) when it has no",
        "judged lines and no metric units on a side.",
        "",
        "score = 100 - findings penalty - metric penalties",
        f"- findings penalty = cap * (1 - exp(-D / {TAU:g})), where D = sum of severity weights ({weights})",
        f"  per 1,000 judged non-blank lines (at least {FLOOR_LINES} lines), and cap = 100 minus the points",
        "  of the metrics below that have units. Findings a check marks as listed only (fixture",
        "  credentials in test code) weigh 0.",
    ]
    lines.extend(f"- metric {m.name} ({m.points:g} points): loses points * bad / total. {m.description}"
                 for m in metrics)
    lines += [
        "",
        "The gate: the domain regresses when the PR adds a finding at or above gate.severity, or when a",
        "metric loses more than gate.tolerance points through units the PR owns (units it added bad or",
        "turned from good to bad; deleted units and untouched legacy units never count).",
        "Performance and observability findings in test code never block.",
        "Every delta is explained step by step (metrics, then density, then each fixed and each new",
        "finding); the steps add up to the delta.",
        "",
        "Checks:",
    ]
    lines += [f"- {r.code} {r.name} ({r.severity.value}): {r.summary}" for r in checks] or ["- none"]
    if ruff:
        lines += ["", f"Ruff rules mapped here (by code prefix): {', '.join(ruff)}"]
    return "\n".join(lines)
