"""Route installation changes to the bookkeeping job."""

from __future__ import annotations

from typing import Any

from app.github.job import InstallationJob
from app.web.payload import Delivery, Routed, field


def record_installation(delivery: Delivery) -> Routed | None:
    """Queue the bookkeeping of an installation created, deleted or changed."""
    payload = delivery.payload
    added = payload.get("repositories_added") or payload.get("repositories") or []
    removed = payload.get("repositories_removed") or []
    if delivery.action == "deleted":
        added, removed = [], payload.get("repositories") or []
    return Routed(
        InstallationJob(
            installation_id=field(payload, "installation", "id", kind=int),
            action=delivery.action,
            added_repo_ids=_ids(added),
            removed_repo_ids=_ids(removed),
            delivery_id=delivery.delivery_id,
        )
    )


def _ids(repos: Any) -> tuple[int, ...]:
    """Return the ids of a list of repository objects."""
    if not isinstance(repos, list):
        return ()
    return tuple(field(r, "id", kind=int) for r in repos)


ROUTES = {"installation": record_installation, "installation_repositories": record_installation}
