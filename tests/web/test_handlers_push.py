"""The push route: only the default branch moving to a commit queues a baseline, with the head it records."""

from __future__ import annotations

import base64
import json

import pytest

from app.github.job import PUSH_TASK, QUEUE, PushJob
from app.store.keys import push_head_key
from app.web.handlers.push import ROUTES, audit_push
from app.web.payload import Delivery, MalformedPayload
from app.web.routing import ROUTES as ALL_ROUTES
from tests.e2e.openapi import webhook_examples
from tests.e2e.payloads import encode, push
from tests.web.conftest import Receiver
from tests.web.test_receiver import post
from tests.web.test_routing import TARGET

HEAD = "c0ffee" + "0" * 34


def delivery(payload: dict[str, object]) -> Delivery:
    """Wrap a push payload as a verified delivery."""
    return Delivery(event="push", delivery_id="d-push", payload=payload, check_name="Verity")


def test_a_push_to_the_default_branch_queues_a_baseline_and_records_the_head() -> None:
    routed = audit_push(delivery(push(TARGET, HEAD)))
    assert routed is not None
    assert routed.job == PushJob(TARGET.installation_id, TARGET.repo_id, TARGET.full_name, HEAD, TARGET.base_ref,
                                 TARGET.clone_url, f"https://github.com/{TARGET.full_name}", False, "d-push")
    assert (routed.head_key, routed.head_sha) == (push_head_key(TARGET.repo_id), HEAD)
    assert ALL_ROUTES["push"] is ROUTES["push"]


def test_privacy_is_taken_from_the_payload_and_never_assumed_public() -> None:
    payload = push(TARGET, HEAD, private=True)
    assert audit_push(delivery(payload)).job.private is True  # type: ignore[union-attr]
    payload["repository"]["private"] = None  # type: ignore[index]
    with pytest.raises(MalformedPayload):
        audit_push(delivery(payload))


def test_other_branches_tags_and_deletions_are_ignored() -> None:
    assert audit_push(delivery(push(TARGET, HEAD, branch="feature"))) is None
    assert audit_push(delivery(push(TARGET, "0" * 40))) is None
    for example in webhook_examples()["push"]:  # every real example that is not a branch moving: tags, deletions
        if not example["ref"].startswith("refs/heads/") or example["deleted"]:
            assert audit_push(delivery(json.loads(json.dumps(example)))) is None


def test_a_head_that_is_not_a_sha_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match=r"^head SHA is not a commit SHA$"):
        audit_push(delivery(push(TARGET, "main; rm -rf /")))


def test_a_bad_head_is_named_before_a_missing_installation() -> None:
    payload = push(TARGET, "main; rm -rf /")
    del payload["installation"]
    with pytest.raises(MalformedPayload, match=r"^head SHA is not a commit SHA$"):
        audit_push(delivery(payload))


def test_the_receiver_queues_the_push_task_with_ids_only(receiver: Receiver) -> None:
    response = post(receiver.client, "push", encode(push(TARGET, HEAD)), delivery="d-push-1")
    assert response.status_code == 202
    [raw] = receiver.redis.lrange(QUEUE, 0, -1)
    message = json.loads(raw)
    assert message["headers"]["task"] == PUSH_TASK
    _, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert PushJob.from_json(kwargs).head_sha == HEAD and "token" not in json.dumps(kwargs)
    assert receiver.redis.get(push_head_key(TARGET.repo_id)) == HEAD.encode()
    assert post(receiver.client, "push", encode(push(TARGET, HEAD, branch="dev")), delivery="d-2").status_code == 200
