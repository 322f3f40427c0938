"""Route check_suite and check_run events (new pushes, re-runs, the Re-run button) to audits."""

from __future__ import annotations

from typing import Any

from app.github.job import AuditJob, PushJob
from app.github.text import RERUN_IDENTIFIER
from app.web.handlers.push import job_from_push
from app.web.payload import Delivery, Routed, field, optional, origin, web_address

SUITE_ACTIONS = ("requested", "rerequested")


def audit_check_suite(delivery: Delivery) -> Routed | None:
    """Queue an audit of the suite's head for its first pull request; a re-request forces it.

    A suite on no pull request is a push: the push event queues its baseline, and a re-request re-runs it.
    """
    if delivery.action not in SUITE_ACTIONS:
        return None
    suite = field(delivery.payload, "check_suite", kind=dict)
    head_sha = field(suite, "head_sha", kind=str)
    job = _job(delivery, suite, head_sha)
    if job is None:
        rerequested = delivery.action == "rerequested"
        return rerun_baseline(delivery, head_sha, optional(suite, "head_branch", kind=str)) if rerequested else None
    return Routed(AuditJob(**{**job.to_json(), "force": delivery.action == "rerequested"}))


def rerun_check_run(delivery: Delivery) -> Routed | None:
    """Queue a forced audit when someone re-runs Verity's check run or presses its Re-run button."""
    run = field(delivery.payload, "check_run", kind=dict)
    if field(run, "name", kind=str) != delivery.check_name:
        return None
    if delivery.action == "requested_action":
        wanted = field(delivery.payload, "requested_action", "identifier", kind=str)
        if wanted != RERUN_IDENTIFIER:
            return None
    elif delivery.action != "rerequested":
        return None
    head_sha = field(run, "head_sha", kind=str)
    job = _job(delivery, run, head_sha)
    if job is None:
        return rerun_baseline(delivery, head_sha, optional(run, "check_suite", "head_branch", kind=str))
    return Routed(AuditJob(**{**job.to_json(), "force": True}))


def rerun_baseline(delivery: Delivery, head_sha: str, branch: str | None) -> Routed | None:
    """Queue a forced baseline audit when the re-run check is on the default branch (no pull request)."""
    if branch is None or branch != field(delivery.payload, "repository", "default_branch", kind=str):
        return None
    job = job_from_push(delivery, head_sha, branch)
    return Routed(PushJob(**{**job.to_json(), "force": True}))


def _job(delivery: Delivery, holder: dict[str, Any], head_sha: str) -> AuditJob | None:
    """Build the job of the first pull request a suite or run belongs to (none: not a PR push)."""
    pulls = field(holder, "pull_requests", kind=list)
    if not pulls:
        return None
    payload = delivery.payload
    return AuditJob(
        **origin(payload, head_sha, "head_sha"),
        pr_number=field(pulls, 0, "number", kind=int),
        base_ref=field(pulls, 0, "base", "ref", kind=str),
        clone_url=field(payload, "repository", "clone_url", kind=str),
        html_url=web_address(payload),
        delivery_id=delivery.delivery_id,
    )


ROUTES = {"check_suite": audit_check_suite, "check_run": rerun_check_run}
