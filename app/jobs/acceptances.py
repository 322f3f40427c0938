"""Accepted regressions: when an acceptance lapses, auditing under the ones that hold, and the trail.

An acceptance of domain D, made at head H, records D's head score at H and the fingerprints of D's
new findings at H. At every later audit of the pull request it holds unless D got worse than at H:
- D has a new finding at or above `gate.severity` whose fingerprint was not new at H; or
- D's head score is below the recorded score by more than `gate.tolerance` points.
A lapsed acceptance is removed for good (a later fix does not revive it) and the trail says why.
While it holds, the engine marks D's regression accepted and D does not block. An acceptance of a
domain that no longer regresses holds but changes nothing.

The records and their store are in `app.store.acceptances`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from app.engine.model import Domain, Finding
from app.engine.pipeline import Acceptances, audit_commits
from app.engine.report import DomainResult, Report
from app.github.checks import now
from app.github.output import CheckOutput, truncate
from app.gitrepo.repo import GitRepo
from app.jobs.commands import text
from app.report.escape import escape_untrusted
from app.store.acceptances import Acceptance, AcceptanceStore, TrailEntry
from config.policy import Policy

if TYPE_CHECKING:  # `verity explain` imports this module: it must not load the worker's clients
    from app.jobs.runtime import Runtime

log = logging.getLogger("verity.acceptances")


def marker(accepted: Acceptance) -> str:
    """Return how the check run marks an accepted domain: `@user: reason`."""
    return f"@{accepted.login}: {escape_untrusted(accepted.reason)}"


def render_entry(entry: TrailEntry) -> str:
    """Return a trail entry as a line of the check run's text."""
    sha = entry.head_sha[:12]
    if entry.action == "revoked":
        return text.TRAIL_REVOKED.format(domain=entry.domain.value, accepted_by=entry.login, login=entry.by,
                                         at=entry.at, sha=sha)
    template = text.TRAIL_LAPSED if entry.action == "lapsed" else text.TRAIL_ACCEPTED
    reason = entry.reason if entry.action == "lapsed" else escape_untrusted(entry.reason)
    return template.format(domain=entry.domain.value, login=entry.login, at=entry.at, sha=sha, reason=reason)


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
    return {domain: (marker(a), a.reason) for domain, a in accepted.items()}


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
    return "\n".join([text.TRAIL_TITLE, "", *(render_entry(e) for e in entries)]) + "\n"


def audit_head(rt: Runtime, store: AcceptanceStore, repo: GitRepo, shas: tuple[str, str], policy: Policy,
               record: bool = True) -> Report:
    """Audit (base, head) with the acceptances that hold; with `record`, remove and log those that lapsed."""
    base_sha, head_sha = shas

    def audit(accepted: Acceptances) -> Report:
        return audit_commits(repo, base_sha, head_sha, rt.facts, acceptances=accepted)

    report, lapsed = evaluate(store.active(), audit, policy)
    for accepted, why in lapsed if record else ():
        if store.lapse(accepted, why, now(), head_sha):
            log.info("acceptance lapsed", extra={"domain": accepted.domain.value, "sha": head_sha[:12]})
    return report


def with_trail(output: CheckOutput, store: AcceptanceStore) -> CheckOutput:
    """Put the PR's acceptance trail first in a check run's text, so truncation never drops it."""
    trail = render_trail(store.trail())
    if not trail:
        return output
    return replace(output, text=truncate(trail + ("\n" + output.text if output.text else "")))
