"""The repository job: a repository made private stops being shown at once; a deleted one is forgotten."""

from __future__ import annotations

from app.github.job import RepositoryJob
from app.jobs.runtime import Runtime
from app.store.history import forget_repository, set_privacy


def record_repository(rt: Runtime, job: RepositoryJob) -> str:
    """Record a repository's new visibility, or forget a deleted one; return what was done."""
    if job.action == "deleted":
        forget_repository(rt.redis, job.repo_id)
        return "forgotten"
    known = set_privacy(rt.redis, job.repo_id, job.action == "privatized")
    return job.action if known else "unknown"
