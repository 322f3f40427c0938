"""Celery tasks: thin shims that rebuild a job from its ids and call a plain function."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis.exceptions
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from app.github.errors import TransientGitHubError
from app.github.job import AUDIT_TASK, COMMENT_TASK, INSTALLATION_TASK, AuditJob, CommentJob, InstallationJob
from app.gitrepo.repo import GitError, PermanentGitError
from config.policy import PolicyError
from workers import commands, jobs
from workers.runtime import Runtime, get_runtime

log = logging.getLogger("verity.tasks")

# Errors no retry can fix (a refused clone URL, a repository that is gone, an invalid policy): they
# conclude the check at once with their reason. Checked before RETRIABLE (PermanentGitError is a GitError).
PERMANENT: tuple[type[Exception], ...] = (PermanentGitError, PolicyError)
# Errors a later try may not meet again: GitHub rate limits and 5xx, the network, git fetches, Redis.
RETRIABLE: tuple[type[Exception], ...] = (TransientGitHubError, GitError, ConnectionError, TimeoutError,
                                          redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
CONCLUDE_KEY = "conclude_reason"  # set on a retry that only has to conclude the check run
CONCLUDE_RETRIES = 3


def describe(exc: BaseException) -> str:
    """Return a one-line reason for a check run (never a traceback, never a secret)."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return "the audit took longer than the time limit"
    return str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__


def run_audit_job(task: Task, job: AuditJob, work: Callable[[], str]) -> str:
    """Run a job's work; retry what may pass later; conclude the check on everything else."""
    rt = get_runtime()
    retries = int(task.request.retries or 0)
    pending = task.request.kwargs.get(CONCLUDE_KEY) if isinstance(task.request.kwargs, dict) else None
    try:
        if pending:
            jobs.conclude_on_error(rt, job, str(pending))
            return "error"
        return work()
    except PERMANENT as exc:
        log.warning("audit ended on a permanent error", extra={**job.log_fields(), "reason": describe(exc)})
        return give_up(rt, task, job, describe(exc), True)
    except RETRIABLE as exc:
        reason = str(pending or describe(exc))
        if retries >= rt.retry.max_retries + (CONCLUDE_RETRIES if pending else 0):
            return give_up(rt, task, job, reason, pending is None)
        wait = rt.retry.delay(retries, float(getattr(exc, "retry_after", 0.0)))
        log.info("retrying", extra={**job.log_fields(), "retries": retries, "wait": round(wait, 1), "reason": reason})
        raise task.retry(countdown=wait) from None
    except Exception as exc:  # the edge: whatever broke, the check run must not stay in progress
        log.exception("audit failed", extra=job.log_fields())
        return give_up(rt, task, job, describe(exc), True)


def give_up(rt: Runtime, task: Task, job: AuditJob, reason: str, can_retry: bool) -> str:
    """Conclude the check with `gate.on_error`; if GitHub refuses even that, retry just the conclusion."""
    try:
        jobs.conclude_on_error(rt, job, reason)
    except RETRIABLE as exc:
        if not can_retry:
            log.error("could not conclude the check run", extra={**job.log_fields(), "reason": reason})
            return "error"
        kwargs = {**(task.request.kwargs or {}), CONCLUDE_KEY: reason}
        wait = rt.retry.delay(0, float(getattr(exc, "retry_after", 0.0)))
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
        return run_audit_job(self, job, lambda: jobs.audit_pull_request(get_runtime(), job, self.request.id))

    @app.task(name=COMMENT_TASK, **options)  # type: ignore[untyped-decorator]
    def handle_comment(self: Task, **kwargs: Any) -> str:
        job = CommentJob.from_json(kwargs)
        placeholder = AuditJob(job.installation_id, job.repo_id, job.repo_full_name, job.pr_number, "", "",
                               job.clone_url, job.delivery_id)
        return run_audit_job(self, placeholder, lambda: commands.handle_comment(get_runtime(), job, self.request.id))

    @app.task(name=INSTALLATION_TASK, **options)  # type: ignore[untyped-decorator]
    def record_installation(self: Task, **kwargs: Any) -> str:
        return jobs.record_installation(get_runtime(), InstallationJob.from_json(kwargs))
