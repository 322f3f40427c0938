"""The installation routes: every change becomes a bookkeeping job with the repository ids it grants or takes."""

from __future__ import annotations

from typing import Any

import pytest

from app.github.job import InstallationJob
from app.web.handlers.installations import ROUTES, record_installation
from app.web.payload import Delivery, MalformedPayload
from tests.e2e.payloads import example


def record(event: str, payload: dict[str, Any]) -> InstallationJob:
    """Route an installation payload and return the job it queues (every one queues a job)."""
    routed = record_installation(Delivery(event=event, delivery_id="d-i", payload=payload, check_name="Verity"))
    assert routed is not None, f"{event}.{payload.get('action')} must be recorded"
    assert isinstance(routed.job, InstallationJob)
    assert routed.head_key == ""
    return routed.job


def ids(repos: list[dict[str, Any]]) -> tuple[int, ...]:
    """Return the ids of repository objects, in order."""
    return tuple(int(r["id"]) for r in repos)


def test_a_new_installation_grants_its_repositories() -> None:
    payload = example("installation", "created")
    assert record("installation", payload) == InstallationJob(
        installation_id=payload["installation"]["id"], action="created", added_repo_ids=ids(payload["repositories"]),
        removed_repo_ids=(), delivery_id="d-i")


def test_a_deleted_installation_takes_back_its_repositories() -> None:
    payload = example("installation", "deleted")
    job = record("installation", payload)
    assert (job.action, job.added_repo_ids, job.removed_repo_ids) == ("deleted", (), ids(payload["repositories"]))


def test_repositories_added_and_removed_later_are_recorded_both_ways() -> None:
    added = example("installation_repositories", "added")
    job = record("installation_repositories", added)
    assert (job.action, job.added_repo_ids, job.removed_repo_ids) == ("added", ids(added["repositories_added"]), ())
    removed = example("installation_repositories", "removed")
    job = record("installation_repositories", removed)
    assert (job.added_repo_ids, job.removed_repo_ids) == ((), ids(removed["repositories_removed"]))
    both = {**added, "repositories_removed": removed["repositories_removed"]}
    job = record("installation_repositories", both)
    assert (job.added_repo_ids, job.removed_repo_ids) == (ids(added["repositories_added"]),
                                                          ids(removed["repositories_removed"]))


@pytest.mark.parametrize("action", ["suspend", "unsuspend", "new_permissions_accepted"])
def test_other_installation_changes_are_recorded_with_their_action(action: str) -> None:
    payload = example("installation", action)
    job = record("installation", payload)
    assert (job.installation_id, job.action, job.removed_repo_ids) == (payload["installation"]["id"], action, ())
    assert job.added_repo_ids == ids(payload.get("repositories") or [])


@pytest.mark.parametrize("repositories", [None, {"id": 1}, "all"])
def test_absent_or_non_list_repositories_count_as_none(repositories: object) -> None:
    payload = example("installation", "created")
    payload["repositories"] = repositories
    assert record("installation", payload).added_repo_ids == ()


def test_mistyped_ids_are_malformed() -> None:
    payload = example("installation", "created")
    payload["repositories"][0]["id"] = "186853002"
    with pytest.raises(MalformedPayload, match="id is not int"):
        record("installation", payload)
    payload = example("installation", "created")
    del payload["installation"]["id"]
    with pytest.raises(MalformedPayload, match=r"missing installation\.id"):
        record("installation", payload)


def test_the_route_table_covers_both_installation_events() -> None:
    assert {"installation": record_installation, "installation_repositories": record_installation} == ROUTES
