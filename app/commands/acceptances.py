"""Accepted regressions: what an acceptance records, when it lapses, and the audit trail.

An acceptance of domain D, made at head H, records D's head score at H and the fingerprints of D's
new findings at H. At every later audit of the pull request it holds unless D got worse than at H:
- D has a new finding at or above `gate.severity` whose fingerprint was not new at H; or
- D's head score is below the recorded score by more than `gate.tolerance` points.
A lapsed acceptance is removed for good (a later fix does not revive it) and the trail says why.
While it holds, the engine marks D's regression accepted and D does not block. An acceptance of a
domain that no longer regresses holds but changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.commands import text
from app.commands.escape import escape_untrusted
from app.engine.model import Domain, Finding
from app.engine.pipeline import Acceptances
from app.engine.report import DomainResult, Report
from config.policy import Policy


@dataclass(frozen=True)
class Acceptance:
    """One domain's accepted regression: who, when, why, at which head, and the state it accepted."""

    domain: Domain
    login: str
    reason: str  # as written; escaped whenever shown
    at: str
    head_sha: str
    score: float | None
    fingerprints: frozenset[str] = field(default_factory=frozenset)

    @property
    def marker(self) -> str:
        """Return how the check run marks the domain: `@user: reason`."""
        return f"@{self.login}: {escape_untrusted(self.reason)}"

    def to_json(self) -> dict[str, Any]:
        """Return the acceptance as stored."""
        return {"domain": self.domain.value, "login": self.login, "reason": self.reason, "at": self.at,
                "head_sha": self.head_sha, "score": self.score, "fingerprints": sorted(self.fingerprints)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Acceptance:
        """Rebuild a stored acceptance."""
        score = data.get("score")
        return cls(Domain(data["domain"]), str(data["login"]), str(data["reason"]), str(data["at"]),
                   str(data["head_sha"]), None if score is None else float(score),
                   frozenset(str(f) for f in data.get("fingerprints", ())))


@dataclass(frozen=True)
class TrailEntry:
    """One event of the audit trail: accepted, revoked or lapsed."""

    action: str
    domain: Domain
    login: str  # who accepted (for every action)
    at: str
    head_sha: str
    reason: str = ""  # accepted: the user's reason; lapsed: why it lapsed (already escaped)
    by: str = ""  # revoked: who revoked

    def to_json(self) -> dict[str, Any]:
        """Return the entry as stored."""
        return {"action": self.action, "domain": self.domain.value, "login": self.login, "at": self.at,
                "head_sha": self.head_sha, "reason": self.reason, "by": self.by}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrailEntry:
        """Rebuild a stored entry."""
        return cls(str(data["action"]), Domain(data["domain"]), str(data["login"]), str(data["at"]),
                   str(data["head_sha"]), str(data.get("reason", "")), str(data.get("by", "")))

    def render(self) -> str:
        """Return the entry as a line of the check run's text."""
        sha = self.head_sha[:12]
        if self.action == "revoked":
            return text.TRAIL_REVOKED.format(domain=self.domain.value, accepted_by=self.login, login=self.by,
                                             at=self.at, sha=sha)
        template = text.TRAIL_LAPSED if self.action == "lapsed" else text.TRAIL_ACCEPTED
        reason = self.reason if self.action == "lapsed" else escape_untrusted(self.reason)
        return template.format(domain=self.domain.value, login=self.login, at=self.at, sha=sha, reason=reason)


def new_in(report: Report, domain: Domain) -> list[Finding]:
    """Return a domain's new findings in a report, highest severity first."""
    return [f for f in report.new_findings() if f.domain is domain]


def result_of(report: Report, domain: Domain) -> DomainResult:
    """Return a domain's result in a report."""
    return next(d for d in report.domains if d.domain is domain)


def lapse_reason(accepted: Acceptance, report: Report, policy: Policy) -> str | None:
    """Return why an acceptance no longer holds at a report's head, or None while it holds."""
    gate = policy.gate
    worse = [f for f in new_in(report, accepted.domain)
             if f.severity.rank >= gate.severity.rank and f.fingerprint not in accepted.fingerprints]
    if worse:
        return text.LAPSED_NEW_FINDING.format(domain=accepted.domain.value, severity=worse[0].severity.value,
                                              rule=worse[0].rule, location=escape_untrusted(worse[0].location))
    head = result_of(report, accepted.domain).head
    if accepted.score is not None and head is not None and accepted.score - head > gate.tolerance:
        return text.LAPSED_SCORE.format(domain=accepted.domain.value, head=head, accepted=accepted.score,
                                        tolerance=gate.tolerance)
    return None


def for_engine(accepted: Mapping[Domain, Acceptance]) -> Acceptances:
    """Return acceptances as the engine takes them: domain -> (the check run's marker, reason)."""
    return {domain: (a.marker, a.reason) for domain, a in accepted.items()}


Audit = Callable[[Acceptances], Report]


def evaluate(accepted: Mapping[Domain, Acceptance], audit: Audit,
             policy: Policy) -> tuple[Report, list[tuple[Acceptance, str]]]:
    """Audit with the acceptances that still hold; return the report and the lapsed ones with why.

    Lapsing reads only scores and findings, which acceptances never change, so one audit with every
    stored acceptance tells which lapsed; a second runs only when one did.
    """
    report = audit(for_engine(accepted))
    lapsed = [(a, why) for a in accepted.values() if (why := lapse_reason(a, report, policy)) is not None]
    if lapsed:
        gone = {a.domain for a, _ in lapsed}
        report = audit(for_engine({d: a for d, a in accepted.items() if d not in gone}))
    return report, lapsed


def accept_state(report: Report, domain: Domain) -> tuple[float | None, frozenset[str]]:
    """Return what an acceptance records of a domain at a head: its score and new fingerprints."""
    return result_of(report, domain).head, frozenset(f.fingerprint for f in new_in(report, domain))


def render_trail(entries: list[TrailEntry]) -> str:
    """Return the check run's audit trail of acceptances ("" when there was none)."""
    if not entries:
        return ""
    return "\n".join([text.TRAIL_TITLE, "", *(e.render() for e in entries)]) + "\n"
