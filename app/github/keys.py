"""The Redis keys the receiver and the workers share, in one place."""

from __future__ import annotations

PREFIX = "verity:"
DELIVERY_TTL = 7 * 24 * 3600  # GitHub lets a delivery be redelivered for days
HEAD_TTL = 30 * 24 * 3600
JOB_TTL = 7 * 24 * 3600
CHECK_RUN_TTL = 30 * 24 * 3600


def delivery_key(delivery_id: str) -> str:
    """Return the dedupe key of one webhook delivery."""
    return f"{PREFIX}delivery:{delivery_id}"


def latest_head_key(repo_id: int, pr_number: int) -> str:
    """Return the key holding the newest head SHA announced for a pull request."""
    return f"{PREFIX}head:{repo_id}:{pr_number}"


def job_key(repo_id: int, pr_number: int, head_sha: str, policy_digest: str) -> str:
    """Return the idempotency key of one audit: (repo, PR, head SHA, policy hash)."""
    return f"{PREFIX}job:{repo_id}:{pr_number}:{head_sha}:{policy_digest}"


def check_run_key(repo_id: int, head_sha: str, check_name: str) -> str:
    """Return the key holding the id of Verity's check run for one head SHA."""
    return f"{PREFIX}check:{repo_id}:{head_sha}:{check_name}"


def annotations_key(check_run_id: int) -> str:
    """Return the set of annotation fingerprints already sent to a check run (they append)."""
    return f"{PREFIX}annotations:{check_run_id}"


def installation_key(installation_id: int) -> str:
    """Return the set of repository ids an installation grants."""
    return f"{PREFIX}installation:{installation_id}"


ACCEPTANCE_TTL = 180 * 24 * 3600  # refreshed on every change; a PR open longer than this loses them


def acceptances_key(repo_id: int, pr_number: int) -> str:
    """Return the hash of a PR's accepted regressions, by domain."""
    return f"{PREFIX}accept:{repo_id}:{pr_number}"


def acceptance_trail_key(repo_id: int, pr_number: int) -> str:
    """Return the list of a PR's acceptance events (accepted, revoked, lapsed): the audit trail."""
    return f"{PREFIX}accept-trail:{repo_id}:{pr_number}"


def rerun_limit_key(repo_id: int, pr_number: int) -> str:
    """Return the key that rate-limits `/audit run` on a PR."""
    return f"{PREFIX}rerun:{repo_id}:{pr_number}"
