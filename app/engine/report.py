"""The audit report: what the engine concludes, before any output format renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.engine.model import Domain, Finding


@dataclass(frozen=True)
class Explanation:
    """One line of a domain's delta: the points it moved and why."""

    points: float
    text: str

    def render(self) -> str:
        """Return the line as the report prints it, e.g. `-11.5 SEC001 hardcoded-secret a.py:14 (high)`."""
        return f"{self.points:+.1f} {self.text}"


@dataclass(frozen=True)
class DomainResult:
    """One domain's base and head scores, verdict and explanation."""

    domain: Domain
    base: float | None
    head: float | None
    regressed: bool
    blocking: bool
    new_findings: int
    fixed_findings: int
    explanation: tuple[Explanation, ...] = ()
    reasons: tuple[str, ...] = ()
    accepted_by: str | None = None

    @property
    def delta(self) -> float | None:
        """Return head minus base, rounded as reported, or None when not applicable."""
        if self.base is None or self.head is None:
            return None
        return round(self.head - self.base, 1)

    @property
    def verdict(self) -> str:
        """Return the one-word verdict shown in the table."""
        if self.base is None and self.head is None:
            return "n/a"
        if self.blocking:
            return "regressed"
        if self.regressed:
            return "accepted" if self.accepted_by else "regressed (not blocking)"
        if (self.delta or 0) > 0 or self.fixed_findings:
            return "improved"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        """Return the domain as the JSON report lists it."""
        return {
            "domain": self.domain.value,
            "base": self.base,
            "head": self.head,
            "delta": self.delta,
            "regressed": self.regressed,
            "blocking": self.blocking,
            "new_findings": self.new_findings,
            "fixed_findings": self.fixed_findings,
            "explanation": [e.render() for e in self.explanation],
        }


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

    def fixed_findings(self) -> list[Finding]:
        """Return the findings the change fixed."""
        return [f for f in self.findings if f.status == "fixed"]

    def to_json(self) -> dict[str, Any]:
        """Return the report as the `--format json` contract specifies."""
        return {
            "version": 1,
            "base": self.base,
            "head": self.head,
            "gate": {"passed": self.passed, "reasons": list(self.reasons)},
            "overall": {"base": self.overall_base, "head": self.overall_head, "delta": self.overall_delta},
            "domains": [d.to_json() for d in self.domains],
            "findings": [f.to_json() for f in self.findings],
            "suppressions": [
                {"rule": s.finding.rule, "path": s.finding.path, "line": s.finding.line, "reason": s.reason}
                for s in self.suppressions
            ],
            "skipped": [{"path": p, "reason": why} for p, why in self.skipped],
            "notes": list(self.notes),
        }
