"""The installation job: remember which repositories an installation grants; forget lost mirrors and trends."""

from __future__ import annotations

from app.github.job import InstallationJob
from app.jobs.runtime import Runtime
from app.store.history import forget_repository
from app.store.state import record_installation_repos


def record_installation(rt: Runtime, job: InstallationJob) -> str:
    """Keep the set of repositories each installation grants; drop the mirrors and trends of lost ones."""
    record_installation_repos(rt.redis, job.installation_id, job.action == "deleted", job.added_repo_ids,
                              job.removed_repo_ids)
    for repo_id in job.removed_repo_ids:
        rt.mirrors.remove(repo_id)
        forget_repository(rt.redis, repo_id)  # no badge or trend page outlives Verity's access
    return job.action
