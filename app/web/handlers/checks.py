"""Route check_suite and check_run events (new pushes, re-runs, the Re-run button) to audits."""

from __future__ import annotations

from typing import Any

from app.github.job import AuditJob
from app.github.text import RERUN_IDENTIFIER
from app.web.handlers.pull_request import SHA_RE
from app.web.payload import Delivery, MalformedPayload, Routed, field, web_address

SUITE_ACTIONS = ("requested", "rerequested")


def audit_check_suite(delivery: Delivery) -> Routed | None:
    """Queue an audit of the suite's head for its first pull request; a re-request forces it."""
    if delivery.action not in SUITE_ACTIONS:
        return None
    suite = field(delivery.payload, "check_suite", kind=dict)
    job = _job(delivery, suite, field(suite, "head_sha", kind=str))
    if job is None:
        return None
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
    job = _job(delivery, run, field(run, "head_sha", kind=str))
    return None if job is None else Routed(AuditJob(**{**job.to_json(), "force": True}))


def _job(delivery: Delivery, holder: dict[str, Any], head_sha: str) -> AuditJob | None:
    """Build the job of the first pull request a suite or run belongs to (none: not a PR push)."""
    pulls = field(holder, "pull_requests", kind=list)
    if not pulls:
        return None
    if not SHA_RE.fullmatch(head_sha):
        raise MalformedPayload("head_sha is not a commit SHA")
    payload = delivery.payload
    return AuditJob(
        installation_id=field(payload, "installation", "id", kind=int),
        repo_id=field(payload, "repository", "id", kind=int),
        repo_full_name=field(payload, "repository", "full_name", kind=str),
        pr_number=field(pulls, 0, "number", kind=int),
        head_sha=head_sha,
        base_ref=field(pulls, 0, "base", "ref", kind=str),
        clone_url=field(payload, "repository", "clone_url", kind=str),
        html_url=web_address(payload),
        delivery_id=delivery.delivery_id,
    )


ROUTES = {"check_suite": audit_check_suite, "check_run": rerun_check_run}
