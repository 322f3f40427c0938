"""Where a repository stands at one commit: every domain's score with its evidence.

This is the audit's head side without a base: the same facts, findings, metric units and scores
(a domain's score here equals the head score of any audit ending at this commit), plus what was not
judged and why. `verity report`, the push baseline and the trend page all read it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.checks.base import MetricUnit, matches_any
from app.engine.cache import FactsCache
from app.engine.collect import collect_facts, facts_digest
from app.engine.collector import collector_paused
from app.engine.findings import gather, label, resolve
from app.engine.model import DOMAIN_ORDER, Domain, Finding, Severity
from app.engine.pipeline import load_policy_at, snapshot_notes, snapshot_view
from app.engine.repo_facts import repo_results
from app.engine.report import Suppression
from app.engine.scoring import JUDGED_KINDS, DomainState, MetricState, judged_lines, lines_by_kind, metric_states
from app.engine.snapshot import Snapshot
from app.gitrepo.repo import GitRepo, GitSnapshot
from config.policy import POLICY_PATH, Policy

# A metric whose units all carry distinct phrases ("CI runs the tests"), and few of them, is a checklist.
CHECKLIST_MAX_UNITS = 12


@dataclass(frozen=True)
class MetricStanding:
    """One ratio or checklist metric at a commit: its units and the points they cost."""

    name: str
    points: float
    description: str
    units: tuple[MetricUnit, ...]
    penalty: float

    @property
    def good(self) -> int:
        """Return how many units are good."""
        return sum(1 for unit in self.units if unit.good)

    @property
    def total(self) -> int:
        """Return how many units the metric counts."""
        return len(self.units)

    @property
    def kind(self) -> str:
        """Return `checklist` (a few named capabilities) or `ratio` (many units of one sort).

        Decided from the units alone, so a metric added later renders without being listed here:
        checklist units are distinct phrases (they contain a space), ratio units share a label or are
        named after code (`Class.method`).
        """
        labels = [unit.label for unit in self.units]
        distinct = len(set(labels)) == len(labels)
        phrases = all(" " in text.strip() for text in labels)
        return "checklist" if labels and distinct and phrases and len(labels) <= CHECKLIST_MAX_UNITS else "ratio"

    @property
    def bad_units(self) -> tuple[MetricUnit, ...]:
        """Return the units that are not good, in order."""
        return tuple(unit for unit in self.units if not unit.good)


@dataclass(frozen=True)
class DomainStanding:
    """One domain at a commit: its score, findings, metrics and what was not judged."""

    domain: Domain
    score: float | None
    enabled: bool
    weight: float
    lines: int
    findings: tuple[Finding, ...]  # highest severity first
    metrics: tuple[MetricStanding, ...]
    suppressed: int
    not_judged: tuple[str, ...]

    @property
    def metric_penalty(self) -> float:
        """Return the points the metrics cost."""
        return sum(metric.penalty for metric in self.metrics)

    @property
    def findings_penalty(self) -> float | None:
        """Return the points the findings cost (the rest of the distance to 100)."""
        if self.score is None:
            return None
        return round(max(100.0 - self.score - self.metric_penalty, 0.0), 1)

    def severity_counts(self) -> dict[Severity, int]:
        """Return how many findings there are of each severity, highest first, zeros included."""
        counts = Counter(finding.severity for finding in self.findings)
        return {sev: counts[sev] for sev in sorted(Severity, key=lambda s: -s.rank)}

    def rule_counts(self) -> list[tuple[str, str, Severity, int]]:
        """Return (rule, name, highest severity, count) for each rule found, most frequent first."""
        counts = Counter((f.rule, f.name) for f in self.findings)
        worst: dict[tuple[str, str], Severity] = {}
        for f in self.findings:
            current = worst.get((f.rule, f.name))
            if current is None or f.severity.rank > current.rank:
                worst[(f.rule, f.name)] = f.severity
        rows = [(rule, name, worst[(rule, name)], count) for (rule, name), count in counts.items()]
        return sorted(rows, key=lambda row: (-row[3], -row[2].rank, row[0]))

    def top_findings(self, limit: int) -> tuple[Finding, ...]:
        """Return the most telling findings: highest severity first, then one of each rule before repeats."""
        seen: Counter[str] = Counter()
        ranked = []
        for finding in self.findings:  # already by severity, then location
            ranked.append(((-finding.severity.rank, seen[finding.rule]), finding))
            seen[finding.rule] += 1
        ranked.sort(key=lambda item: item[0])  # stable: location order within a rank
        return tuple(finding for _, finding in ranked[:limit])


@dataclass(frozen=True)
class Standing:
    """The whole repository at one commit, from evidence."""

    commit: str
    overall: float | None
    domains: tuple[DomainStanding, ...]
    suppressions: tuple[Suppression, ...]
    skipped: tuple[tuple[str, str], ...]  # (path, why)
    excluded: tuple[str, ...]  # paths left out by the policy's paths.exclude
    notes: tuple[str, ...]
    files: int  # files analysed

    def domain(self, domain: Domain) -> DomainStanding:
        """Return one domain's standing."""
        return next(d for d in self.domains if d.domain is domain)


def standing_at(repo: GitRepo, sha: str, cache: FactsCache) -> Standing:
    """Return the standing of a commit of a git repository, under the policy committed there."""
    return standing(GitSnapshot(repo, sha), load_policy_at(repo, sha), cache)


@collector_paused
def standing(snapshot: Snapshot, policy: Policy, cache: FactsCache) -> Standing:
    """Score every domain of one snapshot and gather its evidence."""
    (facts,) = collect_facts([snapshot], policy, cache)
    view = snapshot_view(facts, policy)
    results = repo_results(view, policy, facts.view_id(), facts_digest(), cache)
    active, quiet = resolve(gather(view, results.findings), view, policy)
    # Fingerprints come from labelling against nothing; the status is irrelevant here.
    _, found, _ = label([], active, lambda _path, _line: False)
    lines = lines_by_kind(facts.files.values())
    domains = tuple(
        _domain_standing(domain, policy, judged_lines(lines, domain), found, metric_states(results.units, domain),
                         sum(1 for f, _ in quiet if f.domain is domain))
        for domain in DOMAIN_ORDER
    )
    return Standing(
        commit=snapshot.sha,
        overall=_overall(domains),
        domains=domains,
        suppressions=tuple(Suppression(f, why) for f, why in sorted(quiet, key=lambda item: _order(item[0]))),
        skipped=tuple(facts.skipped),
        excluded=tuple(sorted(p for p in facts.all_paths if matches_any(p, policy.paths.exclude))),
        notes=snapshot_notes(facts) + _policy_notes(policy),
        files=len(facts.files),
    )


def _domain_standing(domain: Domain, policy: Policy, lines: int, found: Sequence[Finding],
                     metrics: tuple[MetricState, ...], suppressed: int) -> DomainStanding:
    """Score one domain, exactly as the audit scores a head, and say what it did not judge."""
    settings = policy.domain(domain)
    mine = tuple(sorted((f for f in found if f.domain is domain), key=_order))
    state = DomainState(lines, tuple(float(f.severity.weight) for f in mine), metrics)
    score = round(state.score(), 1) if settings.enabled and state.applicable else None
    return DomainStanding(
        domain=domain,
        score=score,
        enabled=settings.enabled,
        weight=settings.weight,
        lines=lines,
        findings=mine,
        metrics=tuple(MetricStanding(m.metric.name, m.metric.points, m.metric.description, m.units, m.penalty)
                      for m in metrics),
        suppressed=suppressed,
        not_judged=_not_judged(domain, settings.enabled, state, suppressed),
    )


def _not_judged(domain: Domain, enabled: bool, state: DomainState, suppressed: int) -> tuple[str, ...]:
    """Return what a domain did not judge, and why, in plain words."""
    out: list[str] = []
    if not enabled:
        out.append(f"not scored: disabled by the policy ({POLICY_PATH}); its findings are listed, not counted")
    elif not state.applicable:
        kinds = ", ".join(sorted(JUDGED_KINDS[domain]))
        out.append(f"not scored (n/a): no files it judges ({kinds}) and no metric units")
    out.extend(f"{m.metric.name}: not counted, nothing it applies to in this repository"
               for m in state.metrics if not m.units)
    if suppressed:
        noun = "finding" if suppressed == 1 else "findings"
        out.append(f"{suppressed} {noun} suppressed inline with a reason (listed in the report), not counted")
    return tuple(out)


def _policy_notes(policy: Policy) -> tuple[str, ...]:
    """Return what the policy switched off, so no rule is dropped silently."""
    if not policy.rules.ignore:
        return ()
    return (f"rules switched off by the policy: {', '.join(policy.rules.ignore)}",)


def _overall(domains: Sequence[DomainStanding]) -> float | None:
    """Return the weighted mean of the scored domains."""
    scored = [(d.score, d.weight) for d in domains if d.score is not None]
    weight = sum(w for _, w in scored)
    return round(sum(s * w for s, w in scored) / weight, 1) if weight else None


def _order(finding: Finding) -> tuple[int, str, int, str]:
    """Sort findings by severity, then location."""
    return (-finding.severity.rank, finding.path, finding.line, finding.rule)
