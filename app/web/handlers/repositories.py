"""Route a repository made private or public, or deleted, to the job that keeps its trend's privacy."""

from __future__ import annotations

from app.github.job import RepositoryJob
from app.web.payload import Delivery, Routed, field

PRIVACY_ACTIONS = ("privatized", "publicized", "deleted")


def record_repository(delivery: Delivery) -> Routed | None:
    """Queue the privacy bookkeeping of a repository; every other change waits for the next push."""
    if delivery.action not in PRIVACY_ACTIONS:
        return None
    repo_id = field(delivery.payload, "repository", "id", kind=int)
    return Routed(RepositoryJob(repo_id, delivery.action, delivery.delivery_id))


ROUTES = {"repository": record_repository}
