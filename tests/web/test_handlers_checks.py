"""The check_suite and check_run routes: re-runs of Verity's own check become forced audits, nothing else does."""

from __future__ import annotations

from typing import Any

import pytest

from app.github.job import AuditJob, PushJob
from app.github.text import RERUN_IDENTIFIER
from app.web.handlers.checks import ROUTES, audit_check_suite, rerun_check_run
from app.web.payload import Delivery, MalformedPayload
from tests.e2e.payloads import check_run, example, rewrite
from tests.web.test_routing import TARGET

HEAD = "b" * 40
# The real check_suite examples: a suite on the head of PR #2, whose base is `master`.
SUITE_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def delivery(event: str, payload: dict[str, Any], check_name: str = "Verity") -> Delivery:
    """Wrap a payload as a verified delivery for an App whose check is named `check_name`."""
    return Delivery(event=event, delivery_id="d-check", payload=payload, check_name=check_name)


def suite(action: str) -> dict[str, Any]:
    """Return the real check_suite example of an action, about the target's repository and installation."""
    payload = example("check_suite", action)
    rewrite(payload, TARGET)
    return payload


def suite_job(force: bool) -> AuditJob:
    """Return the audit the real rerequested suite asks for."""
    return AuditJob(installation_id=TARGET.installation_id, repo_id=TARGET.repo_id, repo_full_name=TARGET.full_name,
                    pr_number=2, head_sha=SUITE_HEAD, base_ref="master", clone_url=TARGET.clone_url, html_url=TARGET.html_url,
                    delivery_id="d-check", force=force)


def test_a_rerequested_suite_forces_an_audit_of_its_first_pull_request() -> None:
    routed = audit_check_suite(delivery("check_suite", suite("rerequested")))
    assert routed is not None
    assert routed.job == suite_job(force=True)
    # A suite may be an old commit: it must never rewind the PR's latest head.
    assert (routed.head_key, routed.head_sha) == ("", "")


def test_a_requested_suite_queues_an_unforced_audit() -> None:
    payload = suite("rerequested")
    payload["action"] = "requested"
    routed = audit_check_suite(delivery("check_suite", payload))
    assert routed is not None and routed.job == suite_job(force=False)


def test_a_suite_on_several_pull_requests_audits_the_first() -> None:
    payload = suite("rerequested")
    pulls = payload["check_suite"]["pull_requests"]
    pulls.append({**pulls[0], "number": 9, "base": {**pulls[0]["base"], "ref": "release"}})
    routed = audit_check_suite(delivery("check_suite", payload))
    assert routed is not None and isinstance(routed.job, AuditJob)
    assert (routed.job.pr_number, routed.job.base_ref) == (2, "master")


def test_completed_suites_and_pushes_without_a_pull_request_are_ignored() -> None:
    assert audit_check_suite(delivery("check_suite", suite("completed"))) is None
    assert audit_check_suite(delivery("check_suite", suite("requested"))) is None  # its pull_requests is []


def test_rerequesting_a_suite_on_the_default_branch_forces_its_baseline() -> None:
    payload = suite("rerequested")
    payload["check_suite"]["pull_requests"] = []
    branch = payload["repository"]["default_branch"]
    payload["check_suite"]["head_branch"] = branch
    routed = audit_check_suite(delivery("check_suite", payload))
    assert routed is not None and isinstance(routed.job, PushJob) and routed.job.force
    assert (routed.job.branch, routed.head_key) == (branch, "")
    payload["check_suite"]["head_branch"] = "feature"
    assert audit_check_suite(delivery("check_suite", payload)) is None


def test_a_suite_whose_head_is_not_a_sha_is_malformed() -> None:
    payload = suite("rerequested")
    payload["check_suite"]["head_sha"] = "refs/heads/main"
    with pytest.raises(MalformedPayload, match="head_sha is not a commit SHA"):
        audit_check_suite(delivery("check_suite", payload))


@pytest.mark.parametrize(("action", "identifier"), [("rerequested", ""), ("requested_action", RERUN_IDENTIFIER)])
def test_rerunning_verity_s_check_forces_an_audit(action: str, identifier: str) -> None:
    routed = rerun_check_run(delivery("check_run", check_run(TARGET, action, HEAD, "Verity", identifier)))
    assert routed is not None
    assert routed.job == AuditJob(installation_id=TARGET.installation_id, repo_id=TARGET.repo_id,
                                  repo_full_name=TARGET.full_name, pr_number=TARGET.number, head_sha=HEAD,
                                  base_ref=TARGET.base_ref, clone_url=TARGET.clone_url, html_url=TARGET.html_url, delivery_id="d-check",
                                  force=True)
    assert routed.head_key == ""


def test_the_check_name_comes_from_the_app_s_settings() -> None:
    payload = check_run(TARGET, "rerequested", HEAD, "Verity")
    assert rerun_check_run(delivery("check_run", payload, check_name="Verity (staging)")) is None
    payload["check_run"]["name"] = "Verity (staging)"
    assert rerun_check_run(delivery("check_run", payload, check_name="Verity (staging)")) is not None


def test_other_apps_runs_are_ignored_before_their_fields_are_checked() -> None:
    payload = check_run(TARGET, "rerequested", "not-a-sha", "Octocoders-linter")
    assert rerun_check_run(delivery("check_run", payload)) is None


@pytest.mark.parametrize("identifier", ["lgtm|26764", "RERUN", ""])
def test_other_requested_actions_are_ignored(identifier: str) -> None:
    payload = check_run(TARGET, "requested_action", HEAD, "Verity", RERUN_IDENTIFIER)
    payload["requested_action"]["identifier"] = identifier
    assert rerun_check_run(delivery("check_run", payload)) is None


def test_a_requested_action_without_its_identifier_is_malformed() -> None:
    payload = check_run(TARGET, "requested_action", HEAD, "Verity")
    payload.pop("requested_action", None)
    with pytest.raises(MalformedPayload, match=r"missing requested_action\.identifier"):
        rerun_check_run(delivery("check_run", payload))


@pytest.mark.parametrize("action", ["created", "completed"])
def test_created_and_completed_runs_are_ignored(action: str) -> None:
    assert rerun_check_run(delivery("check_run", check_run(TARGET, action, HEAD, "Verity"))) is None


def test_a_rerun_outside_a_pull_request_is_ignored_unless_on_the_default_branch() -> None:
    payload = example("check_run", "rerequested")  # the real example: a run on no pull request
    rewrite(payload, TARGET)
    payload["check_run"]["name"] = "Verity"
    assert payload["check_run"]["pull_requests"] == []
    payload["check_run"]["check_suite"]["head_branch"] = "feature"
    assert rerun_check_run(delivery("check_run", payload)) is None
    payload["check_run"]["check_suite"]["head_branch"] = None
    assert rerun_check_run(delivery("check_run", payload)) is None


def test_rerunning_a_baseline_on_the_default_branch_forces_it() -> None:
    payload = example("check_run", "rerequested")
    rewrite(payload, TARGET)
    payload["check_run"]["name"] = "Verity"
    branch = payload["repository"]["default_branch"]
    assert payload["check_run"]["check_suite"]["head_branch"] == branch
    routed = rerun_check_run(delivery("check_run", payload))
    assert routed is not None and isinstance(routed.job, PushJob)
    assert routed.job.force and routed.job.branch == branch and routed.job.head_sha == payload["check_run"]["head_sha"]
    assert routed.head_key == ""  # a re-run announces no new head


def test_a_rerun_whose_head_is_not_a_sha_is_malformed() -> None:
    payload = check_run(TARGET, "rerequested", HEAD.upper(), "Verity")
    with pytest.raises(MalformedPayload, match="head_sha is not a commit SHA"):
        rerun_check_run(delivery("check_run", payload))


def test_the_route_table_covers_both_check_events() -> None:
    assert {"check_suite": audit_check_suite, "check_run": rerun_check_run} == ROUTES
