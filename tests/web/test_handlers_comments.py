"""The issue_comment route: a new `/audit` comment by a human on a pull request becomes a command job."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.github.job import CommentJob
from app.web.handlers.comments import ROUTES, queue_command
from app.web.payload import Delivery, MalformedPayload
from tests.e2e.payloads import example, rewrite
from tests.web.test_routing import TARGET

COMMENT_ID = 492700400  # the real example's comment id


def comment(body: str, action: str = "created", user_type: str = "User") -> dict[str, Any]:
    """Return the real issue_comment example of an action, on the target's PR #7, saying `body`."""
    payload = example("issue_comment", action)
    rewrite(payload, TARGET)
    payload["issue"]["number"] = TARGET.number
    payload["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{TARGET.full_name}/pulls/7"}
    payload["comment"].update(body=body, id=COMMENT_ID)
    payload["comment"]["user"]["type"] = user_type
    return payload


def queue(payload: dict[str, Any]) -> object:
    """Route a comment payload; return the job queued, or None."""
    routed = queue_command(Delivery(event="issue_comment", delivery_id="d-c", payload=payload, check_name="Verity"))
    return None if routed is None else routed.job


@pytest.mark.parametrize("body", ["/audit", "/audit explain SEC001", "  \n/AUDIT accept security because\nthanks"])
def test_a_human_s_new_command_on_a_pull_request_is_queued_with_ids_only(body: str) -> None:
    payload = comment(body)
    routed = queue_command(Delivery(event="issue_comment", delivery_id="d-c", payload=payload, check_name="Verity"))
    assert routed is not None
    assert routed.job == CommentJob(installation_id=TARGET.installation_id, repo_id=TARGET.repo_id,
                                    repo_full_name=TARGET.full_name, pr_number=TARGET.number,
                                    comment_id=COMMENT_ID, clone_url=TARGET.clone_url, delivery_id="d-c")
    assert (routed.head_key, routed.head_sha) == ("", "")  # a comment announces no new head


@pytest.mark.parametrize("body", ["looks good", "/auditor run", "please /audit run", "", "\n\n"])
def test_comments_that_are_not_commands_are_ignored(body: str) -> None:
    assert queue(comment(body)) is None


def test_bots_are_never_answered() -> None:
    assert queue(comment("/audit run", user_type="Bot")) is None


@pytest.mark.parametrize("action", ["edited", "deleted"])
def test_edits_and_deletions_are_ignored(action: str) -> None:
    assert queue(comment("/audit run", action=action)) is None


def test_comments_on_issues_are_ignored() -> None:
    payload = comment("/audit run")
    del payload["issue"]["pull_request"]
    assert queue(payload) is None
    payload["issue"]["pull_request"] = None
    assert queue(payload) is None


@pytest.mark.parametrize(("where", "key", "value", "message"), [
    ("issue", "pull_request", "https://example.invalid", "issue.pull_request is not dict"),
    ("comment", "body", 7, "body is not str"),
    ("comment", "id", "492700400", "id is not int"),
    ("issue", "number", None, "missing issue.number"),
])
def test_mistyped_or_missing_fields_are_malformed(where: str, key: str, value: object, message: str) -> None:
    payload = comment("/audit run")
    if value is None:
        del payload[where][key]
    else:
        payload[where][key] = value
    with pytest.raises(MalformedPayload, match=re.escape(message)):
        queue(payload)


def test_a_comment_without_its_author_s_type_is_malformed() -> None:
    payload = comment("/audit run")
    del payload["comment"]["user"]["type"]
    with pytest.raises(MalformedPayload, match=r"missing user\.type"):
        queue(payload)


def test_the_route_table_sends_only_issue_comment_here() -> None:
    assert {"issue_comment": queue_command} == ROUTES
