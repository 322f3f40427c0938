"""Celery tasks: thin shims that rebuild a job from its ids and call a plain function."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery, Task
from celery.exceptions import Reject, SoftTimeLimitExceeded

from app.github.errors import TransientGitHubError
from app.github.job import (
    AUDIT_TASK,
    COMMENT_TASK,
    INSTALLATION_TASK,
    PUSH_TASK,
    QUEUE,
    REPOSITORY_TASK,
    AuditJob,
    CommentJob,
    InstallationJob,
    PushJob,
    RepositoryJob,
)
from app.gitrepo.repo import GitError, PermanentGitError
from app.jobs import audit, installations, push, repositories
from app.jobs.commands import handle
from app.jobs.leases import CONCLUDE_KEY, Lease, run_leased
from app.jobs.runtime import Runtime, get_runtime
from app.store.client import TRANSIENT
from app.store.leases import LeasedJob
from config.policy import PolicyError

log = logging.getLogger("verity.tasks")

# Errors no retry can fix (a refused clone URL, a repository that is gone, an invalid policy): they
# conclude the check at once with their reason. Checked before RETRIABLE (PermanentGitError is a GitError).
PERMANENT: tuple[type[Exception], ...] = (PermanentGitError, PolicyError)
# Errors a later try may not meet again: GitHub rate limits and 5xx, the network, git fetches, and
# Redis restarting or failing over (after the store's client waited for it in-process).
RETRIABLE: tuple[type[Exception], ...] = (TransientGitHubError, GitError, ConnectionError, TimeoutError, *TRANSIENT)
CONCLUDE_RETRIES = 3
__all__ = ["CONCLUDE_KEY", "CONCLUDE_RETRIES", "ON_ERROR", "RETRIABLE", "describe", "register_tasks"]


@dataclass(frozen=True)
class Attempt:
    """One try of a job: its task, the job, the runtime, the retries so far, and any conclusion pending."""

    task: Task
    job: AuditJob
    rt: Runtime
    retries: int
    pending: object  # the reason a previous try could not conclude the check run with, or None
    lease: Lease


def describe(exc: BaseException) -> str:
    """Return a one-line reason for a check run (never a traceback, never a secret)."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return "the audit took longer than the time limit"
    return str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__


def retry_later(attempt: Attempt, exc: Exception) -> str:
    """Retry after the policy's backoff (at least GitHub's Retry-After); conclude once retries run out."""
    reason = str(attempt.pending or describe(exc))
    policy = attempt.rt.retry
    if attempt.retries >= policy.max_retries + (CONCLUDE_RETRIES if attempt.pending else 0):
        return give_up(attempt, reason, attempt.pending is None)
    wait = policy.delay(attempt.retries, float(getattr(exc, "retry_after", 0.0)))
    log.info("retrying", extra={**attempt.job.log_fields(), "retries": attempt.retries, "wait": round(wait, 1),
                                "reason": reason})
    attempt.lease.defer(wait)  # before publishing the retry, which another worker may take at once
    raise attempt.task.retry(countdown=wait) from None


def conclude_permanent(attempt: Attempt, exc: Exception) -> str:
    """Conclude the check run at once: no retry can fix a refused URL, a repository gone, a bad policy."""
    log.warning("audit ended on a permanent error", extra={**attempt.job.log_fields(), "reason": describe(exc)})
    return give_up(attempt, describe(exc), True)


def conclude_now(attempt: Attempt, exc: Exception) -> str:
    """Conclude the check run with the failure's reason: a later try would meet it again."""
    log.exception("audit failed", extra=attempt.job.log_fields())
    return give_up(attempt, describe(exc), True)


# What each failure leads to, first match wins. The last row is the edge: whatever broke, the
# check run must not stay in progress.
ON_ERROR: tuple[tuple[tuple[type[Exception], ...], Callable[[Attempt, Exception], str]], ...] = (
    (PERMANENT, conclude_permanent),
    (RETRIABLE, retry_later),
    ((Exception,), conclude_now),
)


def leased_job(task: Task) -> LeasedJob:
    """Return what the task's lease needs to queue it again: name, kwargs, queue and root id."""
    request = task.request
    info = request.delivery_info or {}
    return LeasedJob(str(task.name), dict(request.kwargs or {}), str(info.get("routing_key") or QUEUE),
                     str(request.root_id or request.id))


def claim_id(task: Task) -> str:
    """Return the id a job claims its audit under: the root task id, kept by retries and hand-outs."""
    return str(task.request.root_id or task.request.id)


def run_audit_job(task: Task, job: AuditJob, work: Callable[[Lease], str]) -> str:
    """Run a job's work under its lease; retry what may pass later; conclude the check on everything else."""
    rt = get_runtime()

    def one_try(lease: Lease) -> str:
        return attempt(task, job, rt, lease, work)

    try:
        return run_leased(rt.leases, str(task.request.id), leased_job(task), one_try)
    except TRANSIENT as exc:  # Redis left before the lease was taken or ended: back to the queue
        raise Reject(describe(exc), requeue=True) from None


def attempt(task: Task, job: AuditJob, rt: Runtime, lease: Lease, work: Callable[[Lease], str]) -> str:
    """Run one try of a job, its errors sorted by the ON_ERROR table."""
    kwargs = task.request.kwargs
    current = Attempt(task, job, rt, int(task.request.retries or 0),
                      kwargs.get(CONCLUDE_KEY) if isinstance(kwargs, dict) else None, lease)
    try:
        if current.pending:
            audit.conclude_on_error(rt, job, str(current.pending))
            return "error"
        return work(lease)
    except Exception as exc:  # sorted by the ON_ERROR table
        on_error = next(handler for kinds, handler in ON_ERROR if isinstance(exc, kinds))
        return on_error(current, exc)


def give_up(attempt: Attempt, reason: str, can_retry: bool) -> str:
    """Conclude the check with `gate.on_error`; if GitHub refuses even that, retry just the conclusion."""
    job, task = attempt.job, attempt.task
    try:
        audit.conclude_on_error(attempt.rt, job, reason)
    except RETRIABLE as exc:
        if not can_retry:
            log.error("could not conclude the check run", extra={**job.log_fields(), "reason": reason})
            return "error"
        kwargs = {**(task.request.kwargs or {}), CONCLUDE_KEY: reason}
        wait = attempt.rt.retry.delay(0, float(getattr(exc, "retry_after", 0.0)))
        attempt.lease.defer(wait)
        raise task.retry(kwargs=kwargs, countdown=wait) from None
    return "error"


def register_tasks(app: Celery) -> None:
    """Define Verity's tasks on a Celery app."""
    # max_retries=None: Celery must not cap retries at its default 3; RetryPolicy decides.
    options: dict[str, Any] = {"bind": True, "shared": False, "acks_late": True, "reject_on_worker_lost": True,
                               "max_retries": None, "ignore_result": True}

    @app.task(name=AUDIT_TASK, **options)  # type: ignore[untyped-decorator]
    def audit_pull_request(self: Task, **kwargs: Any) -> str:
        job = AuditJob.from_json(kwargs)
        return run_audit_job(self, job, lambda lease: audit.audit_pull_request(get_runtime(), job, claim_id(self),
                                                                                lease.held))

    @app.task(name=COMMENT_TASK, **options)  # type: ignore[untyped-decorator]
    def handle_comment(self: Task, **kwargs: Any) -> str:
        job = CommentJob.from_json(kwargs)
        placeholder = AuditJob(job.installation_id, job.repo_id, job.repo_full_name, job.pr_number, "", "",
                               job.clone_url, job.delivery_id)
        return run_audit_job(self, placeholder, lambda lease: handle.handle_comment(get_runtime(), job, claim_id(self)))

    @app.task(name=PUSH_TASK, **options)  # type: ignore[untyped-decorator]
    def audit_push(self: Task, **kwargs: Any) -> str:
        job = PushJob.from_json(kwargs)
        return run_audit_job(self, job.as_audit_job(),
                             lambda lease: push.audit_push(get_runtime(), job, claim_id(self)))

    @app.task(name=INSTALLATION_TASK, **options)  # type: ignore[untyped-decorator]
    def record_installation(self: Task, **kwargs: Any) -> str:
        return installations.record_installation(get_runtime(), InstallationJob.from_json(kwargs))

    @app.task(name=REPOSITORY_TASK, **options)  # type: ignore[untyped-decorator]
    def record_repository(self: Task, **kwargs: Any) -> str:
        return repositories.record_repository(get_runtime(), RepositoryJob.from_json(kwargs))
