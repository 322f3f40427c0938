"""Route pull_request events that change what the PR's head or base is to an audit."""

from __future__ import annotations

from app.github.job import AuditJob
from app.store.keys import latest_head_key
from app.web.payload import Delivery, Routed, field, origin, web_address

AUDITED_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


def audit_pull_request(delivery: Delivery) -> Routed | None:
    """Queue an audit of the PR's head; `edited` counts only when the base branch changed."""
    payload = delivery.payload
    base_changed = delivery.action == "edited" and isinstance(payload.get("changes"), dict) and (
        "base" in payload["changes"]
    )
    if delivery.action not in AUDITED_ACTIONS and not base_changed:
        return None
    job = job_from_pull_request(payload, field(payload, "pull_request", kind=dict), delivery.delivery_id)
    # A new base gives a new merge-base for the same head, so the job dedupe must not swallow it.
    if base_changed:
        job = AuditJob(**{**job.to_json(), "force": True})
    return Routed(job, latest_head_key(job.repo_id, job.pr_number), job.head_sha)


def job_from_pull_request(payload: dict[str, object], pr: dict[str, object], delivery_id: str) -> AuditJob:
    """Build the audit job of a pull request object, with the repository and installation ids."""
    head_sha = field(pr, "head", "sha", kind=str)
    return AuditJob(
        **origin(payload, head_sha, "pull_request.head.sha"),
        pr_number=field(pr, "number", kind=int),
        base_ref=field(pr, "base", "ref", kind=str),
        clone_url=field(payload, "repository", "clone_url", kind=str),
        html_url=web_address(payload),
        delivery_id=delivery_id,
    )


ROUTES = {"pull_request": audit_pull_request}
