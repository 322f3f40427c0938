"""Route a push to the repository's default branch to a baseline audit of its new head."""

from __future__ import annotations

from app.github.job import PushJob
from app.store.keys import push_head_key
from app.web.payload import Delivery, Routed, field, origin

BRANCH_PREFIX = "refs/heads/"
NO_COMMIT = "0" * 40


def audit_push(delivery: Delivery) -> Routed | None:
    """Queue a baseline audit when a push moves the default branch; ignore other branches, tags and deletions."""
    payload = delivery.payload
    default_branch = field(payload, "repository", "default_branch", kind=str)
    if field(payload, "ref", kind=str) != BRANCH_PREFIX + default_branch or payload.get("deleted") is True:
        return None
    head_sha = field(payload, "after", kind=str)
    if head_sha == NO_COMMIT:
        return None
    job = job_from_push(delivery, head_sha, default_branch)
    return Routed(job, push_head_key(job.repo_id), head_sha)


def job_from_push(delivery: Delivery, head_sha: str, branch: str) -> PushJob:
    """Build the baseline job of a default-branch head from a payload's repository and installation."""
    payload = delivery.payload
    return PushJob(
        **origin(payload, head_sha, "head SHA"),
        branch=branch,
        clone_url=field(payload, "repository", "clone_url", kind=str),
        html_url=field(payload, "repository", "html_url", kind=str),
        # Only an explicit `false` counts as public: privacy first.
        private=field(payload, "repository", "private", kind=bool) is not False,
        delivery_id=delivery.delivery_id,
    )


ROUTES = {"push": audit_push}
