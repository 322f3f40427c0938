"""The repository route: a repository made private or public, or deleted, queues its privacy bookkeeping."""

from __future__ import annotations

import json

import pytest

from app.github.job import RepositoryJob
from app.web.handlers.repositories import PRIVACY_ACTIONS, record_repository
from app.web.payload import Delivery
from app.web.routing import ROUTES
from tests.e2e.openapi import webhook_examples

EXAMPLES = webhook_examples()["repository"]


def delivery(payload: dict[str, object]) -> Delivery:
    """Wrap a repository payload as a verified delivery."""
    return Delivery(event="repository", delivery_id="d-repo", payload=payload, check_name="Verity")


@pytest.mark.parametrize("payload", EXAMPLES, ids=[str(p["action"]) for p in EXAMPLES])
def test_only_visibility_changes_and_deletions_are_queued(payload: dict[str, object]) -> None:
    routed = record_repository(delivery(json.loads(json.dumps(payload))))
    if payload["action"] in PRIVACY_ACTIONS:
        assert routed is not None
        assert routed.job == RepositoryJob(payload["repository"]["id"], str(payload["action"]), "d-repo")  # type: ignore[index]
    else:
        assert routed is None
    assert ROUTES["repository"] is record_repository


def test_a_deleted_repository_is_queued_too() -> None:
    payload = json.loads(json.dumps(EXAMPLES[0]))
    payload["action"] = "deleted"
    routed = record_repository(delivery(payload))
    assert routed is not None and routed.job == RepositoryJob(payload["repository"]["id"], "deleted", "d-repo")
