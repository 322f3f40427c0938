"""The pull_request route: which actions audit the head, the job built from the payload, the head it records."""

from __future__ import annotations

import re

import pytest

from app.github.job import AuditJob
from app.store.keys import latest_head_key
from app.web.handlers.pull_request import ROUTES, audit_pull_request, job_from_pull_request
from app.web.payload import Delivery, MalformedPayload
from tests.e2e.openapi import webhook_examples
from tests.e2e.payloads import pull_request
from tests.web.test_routing import TARGET

HEAD = "c0ffee" + "0" * 34
AUDITED = ["opened", "synchronize", "reopened", "ready_for_review"]
# Every other action GitHub sends, read from the real examples so a new one is never missed.
IGNORED = sorted({str(p["action"]) for p in webhook_examples()["pull_request"]} - set(AUDITED))


def delivery(payload: dict[str, object], delivery_id: str = "d-pr") -> Delivery:
    """Wrap a pull_request payload as a verified delivery."""
    return Delivery(event="pull_request", delivery_id=delivery_id, payload=payload, check_name="Verity")


def expected_job(force: bool = False, delivery_id: str = "d-pr") -> AuditJob:
    """Return the job the target's PR at HEAD must produce."""
    return AuditJob(installation_id=TARGET.installation_id, repo_id=TARGET.repo_id, repo_full_name=TARGET.full_name,
                    pr_number=TARGET.number, head_sha=HEAD, base_ref=TARGET.base_ref, clone_url=TARGET.clone_url, html_url=TARGET.html_url,
                    delivery_id=delivery_id, force=force)


@pytest.mark.parametrize("action", AUDITED)
def test_head_moving_actions_queue_an_unforced_audit_and_record_the_head(action: str) -> None:
    routed = audit_pull_request(delivery(pull_request(TARGET, action, HEAD)))
    assert routed is not None, f"pull_request.{action} must be audited"
    assert routed.job == expected_job()
    assert (routed.head_key, routed.head_sha) == (latest_head_key(TARGET.repo_id, TARGET.number), HEAD)


@pytest.mark.parametrize("action", IGNORED)
def test_every_other_real_action_is_ignored(action: str) -> None:
    assert audit_pull_request(delivery(pull_request(TARGET, action, HEAD))) is None


def test_a_base_change_forces_the_audit_and_still_records_the_head() -> None:
    payload = pull_request(TARGET, "opened", HEAD, base={"ref": {"from": "develop"}})
    payload["action"] = "edited"
    routed = audit_pull_request(delivery(payload))
    assert routed is not None
    # Same head, new merge-base: without force the worker's job dedupe would swallow it.
    assert routed.job == expected_job(force=True)
    assert routed.head_key == latest_head_key(TARGET.repo_id, TARGET.number)


@pytest.mark.parametrize("changes", [None, {"title": {"from": "old"}}, {"body": {"from": ""}}, ["base"], "base"])
def test_edits_that_leave_the_base_alone_are_ignored(changes: object) -> None:
    payload = pull_request(TARGET, "opened", HEAD)
    payload["action"] = "edited"
    if changes is None:
        payload.pop("changes", None)
    else:
        payload["changes"] = changes
    assert audit_pull_request(delivery(payload)) is None


def test_the_delivery_id_travels_with_the_job() -> None:
    routed = audit_pull_request(delivery(pull_request(TARGET, "synchronize", HEAD), delivery_id="72d3162e"))
    assert routed is not None and routed.job.delivery_id == "72d3162e"


@pytest.mark.parametrize("sha", ["C0FFEE" + "0" * 34, HEAD[:-1], HEAD + "0", HEAD[:-1] + "g", HEAD + "\n", ""])
def test_a_head_that_is_not_a_lowercase_40_hex_sha_is_malformed(sha: str) -> None:
    payload = pull_request(TARGET, "opened", sha)
    with pytest.raises(MalformedPayload, match=r"^pull_request\.head\.sha is not a commit SHA$"):
        job_from_pull_request(payload, payload["pull_request"], "d")


@pytest.mark.parametrize(("path", "value", "message"), [
    (("installation",), None, "missing installation.id"),
    (("repository", "id"), "11", "repository.id is not int"),
    (("repository", "clone_url"), None, "missing repository.clone_url"),
    (("pull_request", "number"), True, "number is not int"),
    (("pull_request", "base", "ref"), 3, "base.ref is not str"),
])
def test_missing_or_mistyped_fields_are_malformed(path: tuple[str, ...], value: object, message: str) -> None:
    payload = pull_request(TARGET, "opened", HEAD)
    holder = payload
    for key in path[:-1]:
        holder = holder[key]
    if value is None:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    with pytest.raises(MalformedPayload, match=re.escape(message)):
        audit_pull_request(delivery(payload))


def test_the_route_table_sends_only_pull_request_here() -> None:
    assert {"pull_request": audit_pull_request} == ROUTES
