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
    for metric in metrics:
        lines.append(f"- metric {metric.name} ({metric.points:g} points): loses points * bad / total. "
                     f"{metric.description}")
        if metric.on_loss:
            lines.append(f"  When a PR loses one of its units: {metric.on_loss}.")
    lines += [
        "",
        "The gate: the domain regresses when the PR adds a finding at or above gate.severity, or lowers a",
        "metric through units it owns (units it added, broke or fixed; deleted units and untouched legacy",
        "units never count). A ratio metric (a share of good units) is judged like patch coverage: the",
        "share over the PR's units against the base's share over the repository, less gate.tolerance",
        "percentage points (when the shortfall also costs more than gate.tolerance score points), so",
        "code added at the repository's own standard never blocks; breaking more",
        "existing units than it fixes (stripping docstrings or tests) does. A checklist metric (a",
        "capability) regresses when the units the PR lost cost more than gate.tolerance points; one the",
        "base never had (a first web app without metrics) costs its points but is not lost.",
        "Verdicts: regressed (blocks unless accepted), accepted, worse (the PR's own findings or units cost",
        "points without blocking), improved, unchanged, n/a. The score's movement is context.",
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
