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

from app.checks.base import RATIO, Metric, MetricUnit
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
    """Return the kind a domain sees: YAML or JSON that is a Kubernetes or compose manifest is a `manifest`."""
    if facts.kind in ("yaml", "json") and facts.data.get("yaml.manifest"):
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
    newly_bad: tuple[MetricUnit, ...]  # units the PR added bad, or turned from good to bad
    newly_good: tuple[MetricUnit, ...]  # units the PR turned from bad to good
    attributable_points: float  # negative when the PR made the metric worse
    added_good: tuple[MetricUnit, ...] = ()  # units the PR added good
    total_units: int = 0  # the metric's units at head
    broken: tuple[MetricUnit, ...] = ()  # those of `newly_bad` that existed at the base, good

    @property
    def stripped(self) -> int:
        """Return how many existing units the PR broke (a ratio metric regresses when they outnumber its fixes)."""
        return len(self.broken)

    @property
    def blamed(self) -> tuple[MetricUnit, ...]:
        """Return the bad units the gate holds against the PR: a ratio's new and broken ones, a checklist's lost ones.

        A checklist capability the base never had (its first web app, its first README) is not lost:
        the unit is bad, the score says so, but only losing what the base had regresses (PRODUCT.md 4).
        """
        return self.newly_bad if self.metric.kind == RATIO else self.broken

    @property
    def lost_points(self) -> float:
        """Return the points the PR's bad units cost (0 or negative): the figure every report shows."""
        return -self.metric.points * len(self.newly_bad) / self.total_units if self.total_units else 0.0

    @property
    def blamed_points(self) -> float:
        """Return the points the blamed units cost (0 or negative): the figure a checklist is gated on."""
        return -self.metric.points * len(self.blamed) / self.total_units if self.total_units else 0.0

    @property
    def gained_points(self) -> float:
        """Return the points the units the PR fixed earn (0 or positive)."""
        return self.metric.points * len(self.newly_good) / self.total_units if self.total_units else 0.0

    @property
    def patch_units(self) -> int:
        """Return how many of the metric's units the PR owns: added, broken or fixed."""
        return len(self.newly_bad) + len(self.newly_good) + len(self.added_good)

    @property
    def patch_ratio(self) -> float | None:
        """Return the share of good units among those the PR owns, in percent, or None when it owns none."""
        if not self.patch_units:
            return None
        return 100.0 * (len(self.newly_good) + len(self.added_good)) / self.patch_units


def ratio_percent(state: MetricState) -> float | None:
    """Return a metric's share of good units over the whole snapshot, in percent, or None without units."""
    if not state.units:
        return None
    return 100.0 * sum(1 for u in state.units if u.good) / len(state.units)


def attribute(
    base: MetricState, head: MetricState, path_map: Callable[[str], str], changed: frozenset[str]
) -> MetricChange:
    """Return the part of a metric's change the PR owns: units it broke, fixed, or added in files it changed.

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

    def added(unit: MetricUnit) -> bool:
        return match(unit) is None and unit.path in changed

    bad = tuple(u for u in head.units if not u.good and owned_bad(u))
    good = tuple(u for u in head.units if u.good and fixed(u))
    added_good = tuple(u for u in head.units if u.good and added(u))
    broken = tuple(u for u in bad if match(u) is not None)
    points = head.metric.points * (len(good) - len(bad)) / len(head.units) if head.units else 0.0
    return MetricChange(head.metric, bad, good, points, added_good, len(head.units), broken)


@dataclass(frozen=True)
class MetricJudgement:
    """Whether a metric change regresses its domain, with the numbers that decided it."""

    change: MetricChange
    regressed: bool
    base_ratio: float | None  # percent, ratio metrics only
    threshold: float | None  # percent: the base ratio less the tolerance, ratio metrics only
    shortfall_points: float = 0.0  # what the PR's units would score more at the base's ratio


def judge(change: MetricChange, base: MetricState, tolerance: float) -> MetricJudgement:
    """Judge a metric change: ratio metrics like patch coverage, checklist metrics by the points they lost.

    A ratio metric regresses when the ratio over the units the PR added, broke or fixed falls below the
    base's whole-repository ratio less the tolerance (in percentage points) and the shortfall, the
    units it would have needed at the base's ratio, costs more than the tolerance in score points (a
    few units in a large repository are noise, not a regression); or when the PR broke more existing
    units than it fixed. So code added at the repository's own standard never blocks, while stripping
    docstrings or tests from existing units does, whatever else the PR adds. With no units at the base
    there is no standard to hold added code to. A checklist metric regresses when the capabilities the
    PR lost (good at the base, bad at head) cost more than the tolerance, whatever else it gained; one
    the base never had (a first web app without metrics) costs points but is not lost.
    """
    if not change.newly_bad:
        return MetricJudgement(change, False, ratio_percent(base), None)
    if change.metric.kind == RATIO:
        base_ratio = ratio_percent(base)
        if base_ratio is None:
            return MetricJudgement(change, False, None, None)
        threshold = max(base_ratio - tolerance, 0.0)
        patch = change.patch_ratio
        shortfall = _shortfall_points(change, base_ratio)
        below = patch is not None and patch < threshold and shortfall > tolerance
        stripped = change.stripped > len(change.newly_good)
        return MetricJudgement(change, below or stripped, base_ratio, threshold, round(shortfall, 2))
    return MetricJudgement(change, -round(change.blamed_points, 1) > tolerance, None, None)


def _shortfall_points(change: MetricChange, base_ratio: float) -> float:
    """Return the score points the PR's units fall short of the base's ratio by."""
    if not change.total_units:
        return 0.0
    good = change.patch_units - len(change.newly_bad)
    missing = max(base_ratio / 100.0 * change.patch_units - good, 0.0)
    return change.metric.points * missing / change.total_units


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
    base: DomainState, head: DomainState, fixed: Sequence[Finding], new: Sequence[Finding],
    changes: Sequence[MetricChange] = (),
) -> tuple[Explanation, ...]:
    """Explain base to head in steps (metrics, density, fixed, new) whose points add up to the delta.

    A metric's step is split into the points its units lost and gained through the PR (the figures
    the gate and the table show) and the rest of its movement (units added, deleted or moved).
    """
    steps: list[tuple[float, str, str]] = []
    state = base
    owned = {c.metric.name: c for c in changes}
    for index, metric in enumerate(head.metrics):
        metrics = head.metrics[: index + 1] + state.metrics[index + 1 :]
        nxt = DomainState(state.lines, state.weights, metrics)
        change = owned.get(metric.metric.name)
        score = state.score()
        if change is not None and change.newly_bad:
            score += change.lost_points
            steps.append((score, _lost_text(change), f"{LOST}{metric.metric.name}"))
        if change is not None and change.newly_good:
            score += change.gained_points
            steps.append((score, _gained_text(change), f"{GAINED}{metric.metric.name}"))
        steps.append((nxt.score(), _metric_text(state.metrics[index], metric), "metric"))
        state = nxt
    if head.lines != base.lines:
        state = DomainState(head.lines, state.weights, state.metrics)
        steps.append((state.score(), f"code size: judged code {base.lines:,} -> {head.lines:,} lines", "metric"))
    weights = list(state.weights)
    for finding in fixed:
        weights.remove(finding.weight)
        state = DomainState(state.lines, tuple(weights), state.metrics)
        steps.append((state.score(), f"{_finding_text(finding)} fixed", ""))
    for finding in new:
        weights.append(finding.weight)
        state = DomainState(state.lines, tuple(weights), state.metrics)
        steps.append((state.score(), _finding_text(finding), ""))
    return _rounded_steps(round(base.score(), 1), steps)


LOST = "lost:"
GAINED = "gained:"


def _rounded_steps(start: float, steps: list[tuple[float, str, str]]) -> tuple[Explanation, ...]:
    """Turn cumulative scores into per-step points whose rounded sum equals the rounded delta."""
    lines: list[Explanation] = []
    previous = start
    folded_points, folded = 0.0, 0
    for score, text, key in steps:
        points = round(round(score, 1) - previous, 1)
        previous = round(score, 1)
        if key:
            # A metric's own part is always listed (the gate quotes it); the rest only when it moved.
            if points or key != "metric":
                lines.append(Explanation(points, text, key))
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
    """Return how the rest of one metric's movement reads in an explanation."""
    def ratio(state: MetricState) -> str:
        good = sum(1 for u in state.units if u.good)
        return f"{good}/{len(state.units)}"
    return f"{head.metric.name.replace('-', ' ')}: {ratio(base)} -> {ratio(head)} met overall"


def units_text(metric: Metric, units: Sequence[MetricUnit], limit: int = 3) -> str:
    """Return bad units as people read them: each one named, or a count past `limit`."""
    if len(units) > limit:
        shown = "; ".join(metric.describe_bad(u) for u in units[:limit])
        return f"{metric.count_bad(len(units))} ({shown}; and {len(units) - limit} more)"
    return "; ".join(metric.describe_bad(u) for u in units)


def _lost_text(change: MetricChange) -> str:
    """Return how the units the PR made bad read in an explanation."""
    return f"{change.metric.name.replace('-', ' ')}: {units_text(change.metric, change.newly_bad)}"


def _gained_text(change: MetricChange) -> str:
    """Return how the units the PR fixed read in an explanation."""
    count = len(change.newly_good)
    return f"{change.metric.name.replace('-', ' ')}: {count} fixed by this change"
