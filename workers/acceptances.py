"""Audit a PR head under its acceptances: drop those that lapsed, and show the trail in the check run."""

from __future__ import annotations

import logging
from dataclasses import replace

from app.commands.acceptances import evaluate, render_trail
from app.commands.store import AcceptanceStore
from app.engine.pipeline import Acceptances, audit_commits
from app.engine.report import Report
from app.github.checks import now
from app.github.output import CheckOutput, truncate
from app.gitrepo.repo import GitRepo
from config.policy import Policy
from workers.runtime import Runtime

log = logging.getLogger("verity.acceptances")


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
