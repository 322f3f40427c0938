"""The audit report: what the engine concludes, before any output format renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.engine.model import Domain, Finding
from app.version import verity_version


@dataclass(frozen=True)
class Explanation:
    """One line of a domain's delta: the points it moved and why."""

    points: float
    text: str
    key: str = ""  # what the step is: "" a finding, "metric" movement, "lost:NAME"/"gained:NAME" the PR's units

    def render(self) -> str:
        """Return the line as the report prints it, e.g. `-11.5 SEC001 hardcoded-secret a.py:14 (high)`."""
        return f"{self.points:+.1f} {self.text}"


REGRESSED = "regressed"
ACCEPTED = "accepted"
WORSE = "worse"
IMPROVED = "improved"
UNCHANGED = "unchanged"
NOT_APPLICABLE = "n/a"
VERDICTS = (REGRESSED, ACCEPTED, WORSE, IMPROVED, UNCHANGED, NOT_APPLICABLE)


@dataclass(frozen=True)
class Reason:
    """Why a domain regressed, as data: a rule's new findings or a metric the PR lowered.

    `summary` is the short phrase of the table's Why column ("2 new high"), `text` the gate's sentence,
    and `data` the JSON object (the rule or metric, its numbers, the units it concerns).
    """

    kind: str  # "finding" or "metric"
    summary: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    fingerprints: tuple[str, ...] = ()  # the blocking findings it names
    units: tuple[tuple[str, str], ...] = ()  # (path, how it reads) of the metric units it names

    def to_json(self) -> dict[str, Any]:
        """Return the reason as the JSON report lists it."""
        return {"kind": self.kind, **self.data, "summary": self.summary}


@dataclass(frozen=True)
class Effect:
    """The PR's own effect on a domain: its findings and the metric units it broke or fixed."""

    new_by_severity: tuple[tuple[str, int], ...] = ()  # (severity, count), highest first
    fixed: int = 0
    lost: tuple[str, ...] = ()  # how each metric loss reads: "`a.py` has no test", "3 modules without a test"
    gained: tuple[str, ...] = ()
    lost_points: float = 0.0  # as the explanation shows them
    gained_points: float = 0.0
    own_points: float = 0.0  # the explanation's steps that are the PR's own: findings and metric units
    net_weight: float = 0.0  # severity weight fixed minus added, units fixed minus broken: breaks a tie of points

    @property
    def negative(self) -> bool:
        """Return whether the PR added anything bad to the domain."""
        return bool(self.new_by_severity or self.lost)

    @property
    def positive(self) -> bool:
        """Return whether the PR fixed anything in the domain."""
        return bool(self.fixed or self.gained)


@dataclass(frozen=True)
class DomainResult:
    """One domain's movement (base, head, delta), the PR's own effect, the verdict and the explanation."""

    domain: Domain
    base: float | None
    head: float | None
    regressed: bool
    blocking: bool
    new_findings: int
    fixed_findings: int
    explanation: tuple[Explanation, ...] = ()
    reasons: tuple[str, ...] = ()  # the gate's sentences
    accepted_by: str | None = None
    accepted_reason: str | None = None
    structured: tuple[Reason, ...] = ()  # the same reasons as data
    effect: Effect = field(default_factory=Effect)
    gated: bool = True  # whether the policy blocks on this domain

    @property
    def delta(self) -> float | None:
        """Return head minus base, rounded as reported, or None when not applicable."""
        if self.base is None or self.head is None:
            return None
        return round(self.head - self.base, 1)

    @property
    def verdict(self) -> str:
        """Return the domain's one verdict, from the PR's own effect (the score's movement is context)."""
        if self.base is None and self.head is None:
            return NOT_APPLICABLE
        if self.regressed and self.accepted_by:
            return ACCEPTED
        if self.blocking or (self.regressed and self.gated):
            return REGRESSED
        negative = self.regressed or self.effect.negative or bool(self.new_findings)
        positive = self.effect.positive or bool(self.fixed_findings)
        if negative and positive:
            return _by_movement(self)
        if negative:
            return WORSE
        return IMPROVED if positive else UNCHANGED

    @property
    def why(self) -> str:
        """Return the table's Why column: what the PR itself did to the domain, in a few words."""
        if self.verdict == NOT_APPLICABLE:
            return "disabled by policy" if self.reasons else "nothing to judge"
        if self.verdict in (REGRESSED, ACCEPTED) and self.structured:
            return "; ".join(r.summary for r in self.structured)
        parts = [f"{count} new {severity}" for severity, count in self.effect.new_by_severity]
        parts += list(self.effect.lost)
        if self.fixed_findings:
            parts.append(f"{self.fixed_findings} fixed")
        parts += list(self.effect.gained)
        if parts:
            return ", ".join(parts)
        return "only the amount of code changed" if self.delta else ""

    @property
    def acceptor(self) -> str:
        """Return the login of who accepted the regression (`accepted_by` is the check run's `@login: reason`)."""
        marker = self.accepted_by or ""
        return marker.partition(": ")[0].lstrip("@") if marker.startswith("@") else marker

    def to_json(self) -> dict[str, Any]:
        """Return the domain as the JSON report lists it."""
        accepted = {"by": self.acceptor, "reason": self.accepted_reason or ""} if self.accepted_by else None
        return {
            "domain": self.domain.value,
            "base": self.base,
            "head": self.head,
            "delta": self.delta,
            "verdict": self.verdict,
            "why": self.why,
            "regressed": self.regressed,
            "blocking": self.blocking,
            "accepted": accepted,
            "new_findings": self.new_findings,
            "fixed_findings": self.fixed_findings,
            "reasons": [r.to_json() for r in self.structured],
            "explanation": [e.render() for e in self.explanation],
        }


def _by_movement(result: DomainResult) -> str:
    """Return the verdict of a PR that both added and fixed things in a domain: its own points decide.

    The score's movement is not used: it also moves with the amount of code (density), which is context.
    When the points round to nothing (a large repository), the severity weights decide.
    """
    own = result.effect.own_points or result.effect.net_weight
    if own < 0:
        return WORSE
    return IMPROVED if own > 0 else UNCHANGED


@dataclass(frozen=True)
class Suppression:
    """A finding silenced inline, with its stated reason."""

    finding: Finding
    reason: str


@dataclass(frozen=True)
class Report:
    """The whole audit of one change."""

    base: str
    head: str
    passed: bool
    reasons: tuple[str, ...]
    overall_base: float | None
    overall_head: float | None
    domains: tuple[DomainResult, ...]
    findings: tuple[Finding, ...]  # new and fixed
    added_line_fingerprints: frozenset[str] = frozenset()  # new findings that sit on added lines
    suppressions: tuple[Suppression, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (path, why) at head
    notes: tuple[str, ...] = field(default_factory=tuple)
    verity_version: str = field(default_factory=verity_version)
    unchanged: tuple[Finding, ...] = ()  # findings at head that the base had too (SARIF's --all)

    @property
    def overall_delta(self) -> float | None:
        """Return the change of the overall score."""
        if self.overall_base is None or self.overall_head is None:
            return None
        return round(self.overall_head - self.overall_base, 1)

    def new_findings(self) -> list[Finding]:
        """Return the new findings, highest severity first."""
        new = [f for f in self.findings if f.status == "new"]
        return sorted(new, key=lambda f: (-f.severity.rank, f.path, f.line, f.rule))

    def blocking_findings(self) -> list[Finding]:
        """Return the new findings that block the merge, highest severity first."""
        blocking = {fp for d in self.domains if d.blocking for r in d.structured for fp in r.fingerprints}
        return [f for f in self.new_findings() if f.fingerprint in blocking]

    def fixed_findings(self) -> list[Finding]:
        """Return the findings the change fixed."""
        return [f for f in self.findings if f.status == "fixed"]

    def to_json(self) -> dict[str, Any]:
        """Return the report as the `--format json` contract specifies."""
        return {
            "version": 1,
            "verity_version": self.verity_version,
            "base": self.base,
            "head": self.head,
            "gate": {"passed": self.passed, "reasons": list(self.reasons)},
            "overall": {"base": self.overall_base, "head": self.overall_head, "delta": self.overall_delta},
            "domains": [d.to_json() for d in self.domains],
            "findings": [
                {**f.to_json(), "on_added_line": f.fingerprint in self.added_line_fingerprints}
                for f in self.findings
            ],
            "suppressions": [
                {"rule": s.finding.rule, "path": s.finding.path, "line": s.finding.line, "reason": s.reason}
                for s in self.suppressions
            ],
            "skipped": [{"path": p, "reason": why} for p, why in self.skipped],
            "notes": list(self.notes),
        }
