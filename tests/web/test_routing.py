"""Routing real webhook examples to jobs: which events and actions Verity acts on."""

from __future__ import annotations

from typing import Any

import pytest

from app.github.job import AuditJob, CommentJob, InstallationJob
from app.web.payload import Delivery, MalformedPayload
from app.web.routing import route
from tests.e2e.openapi import example
from tests.e2e.payloads import Target, check_run, pull_request

TARGET = Target(installation_id=5, repo_id=11, full_name="octo/demo", clone_url="https://github.com/octo/demo.git")
HEAD = "b" * 40


def delivery(event: str, payload: dict[str, Any]) -> Delivery:
    """Wrap a payload as a verified delivery."""
    return Delivery(event=event, delivery_id="d", payload=payload, check_name="Verity")


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "ready_for_review"])
def test_pull_request_actions_that_move_the_head_are_audited(action: str) -> None:
    routed = route(delivery("pull_request", pull_request(TARGET, action, HEAD)))
    assert routed is not None and isinstance(routed.job, AuditJob)
    assert (routed.job.head_sha, routed.job.pr_number, routed.job.force) == (HEAD, 7, False)
    assert routed.head_sha == HEAD and routed.head_key.endswith(":11:7")


def test_edited_counts_only_when_the_base_changed() -> None:
    assert route(delivery("pull_request", pull_request(TARGET, "labeled", HEAD))) is None
    edited = pull_request(TARGET, "opened", HEAD)
    edited["action"] = "edited"
    edited["changes"] = {"title": {"from": "old"}}
    assert route(delivery("pull_request", edited)) is None
    edited["changes"] = {"base": {"ref": {"from": "develop"}}}
    routed = route(delivery("pull_request", edited))
    assert routed is not None and isinstance(routed.job, AuditJob) and routed.job.force


@pytest.mark.parametrize("action", ["closed", "assigned", "labeled", "locked"])
def test_other_pull_request_actions_are_ignored(action: str) -> None:
    assert route(delivery("pull_request", pull_request(TARGET, action, HEAD))) is None


def test_check_suite_requested_and_rerequested() -> None:
    for action, forced in (("requested", False), ("rerequested", True)):
        payload = example("check_suite", action)
        payload["check_suite"]["head_sha"] = HEAD
        payload["check_suite"]["pull_requests"] = [{"number": 3, "base": {"ref": "main"}}]
        payload["installation"] = {"id": 5}
        routed = route(delivery("check_suite", payload))
        assert routed is not None and isinstance(routed.job, AuditJob) and routed.job.force is forced
    payload["check_suite"]["pull_requests"] = []
    assert route(delivery("check_suite", payload)) is None


def test_check_run_rerun_and_button_for_our_check_only() -> None:
    for action, identifier in (("rerequested", ""), ("requested_action", "rerun")):
        routed = route(delivery("check_run", check_run(TARGET, action, HEAD, "Verity", identifier)))
        assert routed is not None and isinstance(routed.job, AuditJob) and routed.job.force
    assert route(delivery("check_run", check_run(TARGET, "rerequested", HEAD, "Other CI"))) is None
    assert route(delivery("check_run", check_run(TARGET, "requested_action", HEAD, "Verity", "fix"))) is None


def _comment(body: str, user_type: str = "User", on_pr: bool = True) -> dict[str, Any]:
    payload = example("issue_comment", "created")
    payload["comment"]["body"] = body
    payload["comment"]["user"]["type"] = user_type
    payload["installation"] = {"id": 5}
    if on_pr:
        payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    else:
        payload["issue"].pop("pull_request", None)
    return payload


def test_audit_comments_on_prs_by_humans_are_queued() -> None:
    routed = route(delivery("issue_comment", _comment("/audit explain SEC001\nthanks")))
    assert routed is not None and isinstance(routed.job, CommentJob)
    assert route(delivery("issue_comment", _comment("/AUDIT"))) is not None
    assert route(delivery("issue_comment", _comment("/auditor"))) is None
    assert route(delivery("issue_comment", _comment("looks good"))) is None
    assert route(delivery("issue_comment", _comment("/audit", user_type="Bot"))) is None
    assert route(delivery("issue_comment", _comment("/audit", on_pr=False))) is None
    edited = _comment("/audit")
    edited["action"] = "edited"
    assert route(delivery("issue_comment", edited)) is None


def test_installation_events_go_to_bookkeeping() -> None:
    created = example("installation", "created")
    routed = route(delivery("installation", created))
    assert routed is not None and isinstance(routed.job, InstallationJob)
    assert routed.job.added_repo_ids == tuple(r["id"] for r in created["repositories"])
    changed = example("installation_repositories", "removed")
    routed = route(delivery("installation_repositories", changed))
    assert routed is not None and isinstance(routed.job, InstallationJob)
    assert routed.job.removed_repo_ids == tuple(r["id"] for r in changed["repositories_removed"])


def test_ping_and_unknown_events_are_not_routed() -> None:
    assert route(delivery("ping", example("ping", None))) is None
    assert route(delivery("star", {"action": "created"})) is None


def test_wrong_types_are_malformed() -> None:
    payload = pull_request(TARGET, "opened", HEAD)
    payload["installation"]["id"] = True
    with pytest.raises(MalformedPayload):
        route(delivery("pull_request", payload))
