"""Plain-word evidence of a standing, shared by every report format (text, markdown, html, json)."""

from __future__ import annotations

from app.checks.base import MetricUnit
from app.engine.model import Finding
from app.engine.standing import DomainStanding, MetricStanding, Standing

TOP_FINDINGS = 10
SHOWN_UNITS = 5
GOOD_MARK, BAD_MARK = "✓", "✗"


def score_text(score: float | None) -> str:
    """Return a score as the reports print it, or `n/a`."""
    return "n/a" if score is None else f"{score:.1f}"


def score_label(domain: DomainStanding) -> str:
    """Return a domain's score, `n/a` when it has nothing to judge, or `disabled` when the policy turns it off."""
    return score_text(domain.score) if domain.enabled else "disabled"


def plural(count: int, noun: str) -> str:
    """Return `1 finding` or `3 findings`."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def findings_summary(domain: DomainStanding) -> str:
    """Return e.g. `12 findings (2 high, 10 low)` or `no findings`."""
    if not domain.findings:
        return "no findings"
    parts = [f"{count} {sev.value}" for sev, count in domain.severity_counts().items() if count]
    return f"{plural(len(domain.findings), 'finding')} ({', '.join(parts)})"


def domain_summary(domain: DomainStanding) -> str:
    """Return how a domain's score is made, e.g. `3 findings (3 low) in 1,200 judged lines; ...`."""
    if not domain.lines and not domain.findings:
        return "nothing to judge: no files of the kinds it reads"
    text = f"{findings_summary(domain)} in {plural(domain.lines, 'judged line')}"
    if not domain.enabled:
        return f"disabled by the policy; {text}"
    costs = []
    if domain.findings_penalty is not None and domain.findings:
        costs.append(f"findings cost {domain.findings_penalty:.1f} points")
    if domain.score is not None and any(m.units for m in domain.metrics):
        costs.append(f"metrics cost {domain.metric_penalty:.1f} points")
    return "; ".join([text, *costs])


def finding_text(finding: Finding) -> str:
    """Return one finding on one line: `path:line RULE name (severity): message`."""
    return f"{finding.location} {finding.rule} {finding.name} ({finding.severity.value}): {one_line(finding.message)}"


def one_line(text: str) -> str:
    """Collapse a message onto one line."""
    return " ".join(text.split())


def share_label(metric: MetricStanding) -> str:
    """Return the label every unit shares (`tested`), or `good` when the units are named one by one."""
    labels = {unit.label for unit in metric.units}
    return labels.pop() if len(labels) == 1 and metric.total > 1 else "good"


def unit_name(metric: MetricStanding, unit: MetricUnit) -> str:
    """Return how a ratio unit is named in a list: its path, plus its label when labels differ."""
    return unit.path if share_label(metric) != "good" else f"{unit.path}::{unit.label}"


def checklist_items(metric: MetricStanding) -> list[tuple[str, bool]]:
    """Return each checklist unit's label with whether it is present."""
    return [(unit.label, unit.good) for unit in metric.units]


def ratio_counts(metric: MetricStanding) -> str:
    """Return e.g. `31 of 86 tested (36%)`."""
    pct = 100.0 * metric.good / metric.total if metric.total else 0.0
    return f"{metric.good:,} of {metric.total:,} {share_label(metric)} ({pct:.0f}%)"


def cost_text(metric: MetricStanding) -> str:
    """Return what a metric costs its domain, e.g. `costs 25.6 of 40 points`."""
    return f"costs {metric.penalty:.1f} of {metric.points:g} points"


def metric_sentence(metric: MetricStanding) -> str:
    """Return a metric with its numbers in plain words, whatever its name and units."""
    if not metric.units:
        return f"{metric.name}: nothing to count"
    if metric.kind == "checklist":
        items = ", ".join(f"{text} {GOOD_MARK if good else BAD_MARK}" for text, good in checklist_items(metric))
        return f"{metric.name}: {items} ({cost_text(metric)})"
    return f"{metric.name}: {ratio_counts(metric)}{_missing(metric)} ({cost_text(metric)})"


def _missing(metric: MetricStanding) -> str:
    """Return `; not tested: a.py, b.py and 3 more`, or nothing when every unit is good."""
    bad = metric.bad_units
    if not bad:
        return ""
    shown = ", ".join(unit_name(metric, unit) for unit in bad[:SHOWN_UNITS])
    more = f" and {len(bad) - SHOWN_UNITS:,} more" if len(bad) > SHOWN_UNITS else ""
    return f"; not {share_label(metric)}: {shown}{more}"


def rules_summary(domain: DomainStanding, limit: int = 5) -> str:
    """Return the most frequent rules, e.g. `TST003 test-imports-missing-module 5, F401 unused-import 3`."""
    rows = domain.rule_counts()
    text = ", ".join(f"{rule} {name} {count}" for rule, name, _sev, count in rows[:limit])
    return text + (f" and {len(rows) - limit} more rules" if len(rows) > limit else "")


def skipped_by_reason(standing: Standing) -> list[tuple[str, list[str]]]:
    """Return the skipped files grouped by why, the largest group first."""
    groups: dict[str, list[str]] = {}
    for path, why in standing.skipped:
        groups.setdefault(why, []).append(path)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def global_not_judged(standing: Standing) -> list[str]:
    """Return, in plain words, what the whole report did not judge and why."""
    out = [f"{plural(len(paths), 'file')} skipped: {why}" for why, paths in skipped_by_reason(standing)]
    if standing.excluded:
        out.append(f"{plural(len(standing.excluded), 'file')} excluded by the policy's paths.exclude")
    if standing.suppressions:
        out.append(f"{plural(len(standing.suppressions), 'finding')} suppressed inline, each with its reason")
    out.extend(standing.notes)
    return out

