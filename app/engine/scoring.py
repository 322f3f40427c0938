"""Domain scores, their step-by-step explanation, and the attributable part of metric changes.

A domain scores 100 minus two penalties:
- findings: `cap * (1 - exp(-D / TAU))`, where D is the severity-weighted findings per 1,000 judged
  lines (at least FLOOR_LINES), and cap is what the domain's metrics leave of 100;
- metrics: each ratio or checklist metric loses `points * bad / total` of its units.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.checks.base import Metric, MetricUnit
from app.checks.registry import METRICS
from app.engine.model import Domain, FileFacts, Finding
from app.engine.report import Explanation

TAU = 20.0
FLOOR_LINES = 1000
MAX_EXPLAINED = 25

# Which file kinds each domain judges: their non-blank lines normalise the findings density.
JUDGED_KINDS: dict[Domain, frozenset[str]] = {
    Domain.QUALITY: frozenset({"python"}),
    Domain.SECURITY: frozenset(
        {"python", "yaml", "workflow", "dockerfile", "toml", "json", "env", "requirements", "text"}
    ),
    Domain.TESTS: frozenset({"python"}),
    Domain.DOCS: frozenset({"python", "markdown"}),
    Domain.ARCHITECTURE: frozenset({"python"}),
    Domain.CI: frozenset({"workflow"}),
    Domain.INFRASTRUCTURE: frozenset({"dockerfile", "manifest"}),
    Domain.OBSERVABILITY: frozenset({"python"}),
    Domain.PERFORMANCE: frozenset({"python"}),
    Domain.DEPENDENCIES: frozenset({"python", "requirements"}),
}


def judged_kind(facts: FileFacts) -> str:
    """Return the kind a domain sees: YAML that is a Kubernetes or compose manifest counts as `manifest`."""
    if facts.kind == "yaml" and facts.data.get("yaml.manifest"):
        return "manifest"
    if facts.kind == "toml" and facts.path.rsplit("/", 1)[-1] == "pyproject.toml":
        return "requirements"
    return facts.kind


def lines_by_kind(files: Iterable[FileFacts]) -> Counter[str]:
    """Return the non-blank lines of a snapshot by judged kind (computed once, read by every domain)."""
    lines: Counter[str] = Counter()
    for facts in files:
        lines[judged_kind(facts)] += facts.loc
    return lines


def judged_lines(lines: Counter[str], domain: Domain) -> int:
    """Return the non-blank lines of the files a domain judges."""
    return sum(lines[kind] for kind in JUDGED_KINDS[domain])


@dataclass(frozen=True)
class MetricState:
    """A metric's units in one snapshot."""

    metric: Metric
    units: tuple[MetricUnit, ...]

    @property
    def penalty(self) -> float:
        """Return the points this metric costs its domain."""
        if not self.units:
            return 0.0
        return self.metric.points * sum(1 for u in self.units if not u.good) / len(self.units)

    @property
    def cap_share(self) -> float:
        """Return the points this metric reserves of the domain's 100 (0 when it has no units)."""
        return self.metric.points if self.units else 0.0


@dataclass(frozen=True)
class DomainState:
    """Everything a domain's score depends on, in one snapshot."""

    lines: int
    weights: tuple[float, ...]
    metrics: tuple[MetricState, ...]

    @property
    def applicable(self) -> bool:
        """Return whether the domain has anything to judge."""
        return self.lines > 0 or any(m.units for m in self.metrics)

    def score(self) -> float:
        """Return the unrounded score."""
        cap = 100.0 - sum(m.cap_share for m in self.metrics)
        density = sum(self.weights) * 1000.0 / max(self.lines, FLOOR_LINES)
        return 100.0 - cap * (1.0 - math.exp(-density / TAU)) - sum(m.penalty for m in self.metrics)


def metric_states(units: Mapping[str, Sequence[MetricUnit]], domain: Domain) -> tuple[MetricState, ...]:
    """Return the state of every metric of a domain in one snapshot, from its units by metric name."""
    return tuple(MetricState(m, tuple(units.get(m.name, ()))) for m in METRICS if m.domain is domain)


@dataclass(frozen=True)
class MetricChange:
    """How a PR moved one metric through the files it changed."""

    metric: Metric
    newly_bad: tuple[MetricUnit, ...]
    newly_good: tuple[MetricUnit, ...]
    attributable_points: float  # negative when the PR made the metric worse


def attribute(
    base: MetricState, head: MetricState, path_map: Callable[[str], str], changed: frozenset[str]
) -> MetricChange:
    """Return the part of a metric's change the PR owns: units it broke, fixed, or added bad in files it changed.

    A unit that is new at head counts only when its deciding file is one the PR added or changed:
    a repository-level unit that merely appears (e.g. "CI runs the tests" once code exists) is not the PR's.
    """
    match = _unit_matcher(base.units, head.units, path_map)

    def owned_bad(unit: MetricUnit) -> bool:
        old = match(unit)
        return old.good if old is not None else unit.path in changed

    def fixed(unit: MetricUnit) -> bool:
        old = match(unit)
        return old is not None and not old.good

    bad = tuple(u for u in head.units if not u.good and owned_bad(u))
    good = tuple(u for u in head.units if u.good and fixed(u))
    points = head.metric.points * (len(good) - len(bad)) / len(head.units) if head.units else 0.0
    return MetricChange(head.metric, bad, good, points)


def _unit_matcher(
    base: Sequence[MetricUnit], head: Sequence[MetricUnit], path_map: Callable[[str], str]
) -> Callable[[MetricUnit], MetricUnit | None]:
    """Return a lookup of a head unit's base counterpart: by path and label, else by a label unique on both sides.

    Checklist units ("CI runs the tests") keep their identity when their evidence moves to another file.
    """
    by_id = {f"{path_map(u.path)}::{u.label}": u for u in base}
    base_labels = Counter(u.label for u in base)
    head_labels = Counter(u.label for u in head)
    by_label = {u.label: u for u in base if base_labels[u.label] == 1}

    def match(unit: MetricUnit) -> MetricUnit | None:
        found = by_id.get(unit.unit_id)
        if found is None and head_labels[unit.label] == 1:
            found = by_label.get(unit.label)
        return found

    return match


def explain(
    base: DomainState, head: DomainState, fixed: Sequence[Finding], new: Sequence[Finding]
) -> tuple[Explanation, ...]:
    """Explain base to head in steps (metrics, density, fixed, new) whose points add up to the delta."""
    steps: list[tuple[float, str]] = []
    state = base
    for index, metric in enumerate(head.metrics):
        metrics = head.metrics[: index + 1] + state.metrics[index + 1 :]
        nxt = DomainState(state.lines, state.weights, metrics)
        steps.append((nxt.score(), _metric_text(state.metrics[index], metric)))
        state = nxt
    if head.lines != base.lines:
        state = DomainState(head.lines, state.weights, state.metrics)
        steps.append((state.score(), f"density: judged code {base.lines:,} -> {head.lines:,} lines"))
    weights = list(state.weights)
    for finding in fixed:
        weights.remove(finding.weight)
        state = DomainState(state.lines, tuple(weights), state.metrics)
        steps.append((state.score(), f"{_finding_text(finding)} fixed"))
    for finding in new:
        weights.append(finding.weight)
        state = DomainState(state.lines, tuple(weights), state.metrics)
        steps.append((state.score(), _finding_text(finding)))
    return _rounded_steps(round(base.score(), 1), steps)


def _rounded_steps(start: float, steps: list[tuple[float, str]]) -> tuple[Explanation, ...]:
    """Turn cumulative scores into per-step points whose rounded sum equals the rounded delta."""
    lines: list[Explanation] = []
    previous = start
    folded_points, folded = 0.0, 0
    for score, text in steps:
        points = round(round(score, 1) - previous, 1)
        previous = round(score, 1)
        if text.startswith(("metric", "density")):
            if points:
                lines.append(Explanation(points, text))
            continue
        if len(lines) < MAX_EXPLAINED:
            lines.append(Explanation(points, text))
        else:
            folded_points += points
            folded += 1
    if folded:
        lines.append(Explanation(round(folded_points, 1), f"{folded} more findings (see the findings list)"))
    return tuple(lines)


def _finding_text(finding: Finding) -> str:
    """Return how one finding reads in an explanation."""
    return f"{finding.rule} {finding.name} {finding.location} ({finding.severity.value})"


def _metric_text(base: MetricState, head: MetricState) -> str:
    """Return how one metric's movement reads in an explanation."""
    def ratio(state: MetricState) -> str:
        good = sum(1 for u in state.units if u.good)
        return f"{good}/{len(state.units)}"
    return f"metric {head.metric.name}: {ratio(base)} -> {ratio(head)} good"
