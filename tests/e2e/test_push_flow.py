"""End-to-end: a push to the default branch, through the receiver and a real worker, to the badge and trend page."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest

from app.github import text
from app.store.history import read_history
from app.store.keys import check_run_key
from tests.e2e import payloads
from tests.e2e.conftest import Stack, wait_idle
from tests.e2e.scenarios import BASE, REGRESSION
from tests.e2e.test_pull_request_flow import open_pull

TABLE_HEADER = "| Domain | Score | Findings | Metrics |"
OPT_IN = {".github/verity.toml": "[report]\npublic = true\n"}


def push(stack: Stack, files: dict[str, str], private: bool = False) -> str:
    """Commit files on main, publish it, deliver the push, and return the new head."""
    head = stack.repo.commit(files, "push")
    stack.repo.publish("main")
    response = stack.deliver("push", payloads.push(stack.target, head, private=private))
    assert response.status_code == 202, response.text
    return head


def badge_texts(stack: Stack) -> list[str]:
    """Return the texts of the repository's badge, parsed as SVG."""
    response = stack.client.get(f"/badge/{stack.target.full_name}.svg")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - the receiver's own badge, under test
    return [node.text or "" for node in root.iter("{http://www.w3.org/2000/svg}text")]


def test_push_to_the_default_branch_gives_a_neutral_baseline_a_history_entry_a_badge_and_a_trend(
        stack: Stack) -> None:
    first = push(stack, BASE)
    run = stack.completed_run(first)
    assert run["conclusion"] == "neutral" and run["name"] == stack.settings.check_name
    assert len(stack.fake.runs_for(first)) == 1
    assert run["history"][:2] == ["queued", "in_progress"] and run["history"][-1] == "completed"
    assert run["output"]["title"].startswith("Baseline: overall ")
    assert TABLE_HEADER in run["output"]["summary"] and "| security |" in run["output"]["summary"]
    [entry] = stack.wait_for(lambda: read_history(stack.redis, stack.target.repo_id), message="a history entry")
    assert entry.sha == first and entry.overall is not None
    assert run["output"]["title"] == text.TITLE_BASELINE.format(score=f"{entry.overall:.1f}")
    assert f"{entry.overall:.1f}/100" in badge_texts(stack)

    second = push(stack, REGRESSION)
    assert stack.completed_run(second)["conclusion"] == "neutral"
    history = stack.wait_for(lambda: len(read_history(stack.redis, stack.target.repo_id)) == 2 and
                             read_history(stack.redis, stack.target.repo_id), message="a second entry")
    assert [e.sha for e in history] == [first, second]
    assert history[1].score("security") < history[0].score("security")  # type: ignore[operator]
    page = stack.client.get(f"/repos/{stack.target.full_name}")
    assert page.status_code == 200 and "<svg" in page.text and 'id="line-security"' in page.text
    for sha in (first, second):
        assert f"https://github.com/{stack.target.full_name}/commit/{sha}" in page.text
    assert stack.fake.errors == []


def test_private_repository_answers_404_until_its_default_branch_opts_in(stack: Stack) -> None:
    head = push(stack, BASE, private=True)
    assert stack.completed_run(head)["conclusion"] == "neutral"
    stack.wait_for(lambda: read_history(stack.redis, stack.target.repo_id), message="a history entry")
    name = stack.target.full_name
    for path in (f"/badge/{name}.svg", f"/repos/{name}"):
        private, unknown = stack.client.get(path), stack.client.get(path.replace(name, "octo-org/never-seen"))
        assert private.status_code == unknown.status_code == 404
        assert private.content == unknown.content
        assert {k: v for k, v in private.headers.items() if k != "date"} == {
            k: v for k, v in unknown.headers.items() if k != "date"}
    opted = push(stack, OPT_IN, private=True)
    stack.completed_run(opted)
    stack.wait_for(lambda: stack.client.get(f"/badge/{name}.svg").status_code == 200, message="the opt-in served")
    assert stack.client.get(f"/repos/{name}").status_code == 200


def test_push_to_another_branch_or_a_tag_is_ignored(stack: Stack) -> None:
    stack.repo.commit(BASE, "base")
    stack.repo.publish("main")
    head = stack.repo.commit(REGRESSION, "feature work", branch="feature")
    stack.repo.publish("feature")
    for payload in (payloads.push(stack.target, head, branch="feature"), payloads.example("push", None)):
        payloads.rewrite(payload, stack.target)
        response = stack.deliver("push", payload)
        assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert stack.queue_length() == 0
    assert stack.fake.requests == []


def test_a_burst_of_pushes_audits_only_the_newest_head(stack: Stack) -> None:
    stack.repo.commit(BASE, "base")
    stack.repo.publish("main")
    held = stack.fake.hold("POST", r"/access_tokens$")
    older = push(stack, REGRESSION)
    assert held.reached.wait(20), "the worker never started the first job"
    newer = push(stack, {"demo/extra.py": '"""More."""\n'})
    held.release.set()
    superseded = stack.completed_run(older)
    assert superseded["conclusion"] == "neutral" and superseded["output"]["title"] == text.TITLE_SUPERSEDED
    assert newer[:12] in superseded["output"]["summary"]
    assert stack.completed_run(newer)["output"]["title"].startswith("Baseline: overall ")
    # The history entry follows the check run's completion: wait for it, then for the older job to be gone.
    history = stack.wait_for(lambda: read_history(stack.redis, stack.target.repo_id), message="a history entry")
    stack.wait_for(lambda: stack.queue_length() == 0, message="queue drained")
    assert [e.sha for e in history] == [newer]


def test_rerunning_an_older_baseline_audits_it_again_instead_of_calling_it_superseded(stack: Stack) -> None:
    older = push(stack, BASE)
    first = stack.completed_run(older)
    newer = push(stack, REGRESSION)
    stack.completed_run(newer)
    patches = len(stack.fake.check_runs[first["id"]]["patches"])
    rerun = payloads.example("check_run", "rerequested")
    payloads.rewrite(rerun, stack.target)
    rerun["repository"]["default_branch"] = stack.target.base_ref
    rerun["check_run"].update(name="Verity", head_sha=older)
    rerun["check_run"]["check_suite"]["head_branch"] = stack.target.base_ref
    assert stack.deliver("check_run", rerun).status_code == 202
    stack.wait_for(lambda: len(stack.fake.check_runs[first["id"]]["patches"]) >= patches + 2, message="re-run")
    again = stack.completed_run(older)
    assert again["id"] == first["id"] and again["conclusion"] == "neutral"
    assert again["output"]["title"] == first["output"]["title"]
    history = read_history(stack.redis, stack.target.repo_id)
    assert [e.sha for e in history] == [older, newer]


@pytest.mark.parametrize("redis_forgot_the_run", [False, True])
def test_a_fast_forward_merge_records_the_baseline_and_leaves_the_pull_request_s_check_run_as_it_was(
        stack: Stack, redis_forgot_the_run: bool) -> None:
    head = open_pull(stack, REGRESSION)
    assert stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head)).status_code == 202
    verdict = stack.completed_run(head)
    assert verdict["conclusion"] == "failure" and verdict["annotations"]
    wait_idle(stack.redis)  # the PR job is done, threads and all
    pull_request_run = copy.deepcopy(stack.fake.check_runs[verdict["id"]])
    if redis_forgot_the_run:  # the push job must then read the owner from GitHub's list of the commit's runs
        stack.redis.delete(check_run_key(stack.target.repo_id, head, stack.settings.check_name))
    seen = len(stack.fake.requests)
    stack.repo.fast_forward("main", head)
    assert stack.deliver("push", payloads.push(stack.target, head)).status_code == 202
    [entry] = stack.wait_for(lambda: read_history(stack.redis, stack.target.repo_id), message="a history entry")
    wait_idle(stack.redis)
    assert entry.sha == head and entry.overall is not None
    assert f"{entry.overall:.1f}/100" in badge_texts(stack)
    by_push = stack.fake.requests[seen:]
    assert [(r.method, r.path) for r in by_push if r.method != "GET" and "/check-runs" in r.path] == []
    assert stack.fake.runs_for(head) == [pull_request_run]  # one run, exactly as the PR job left it
    listed = [r for r in by_push if r.method == "GET" and r.path.endswith("/check-runs")]
    assert len(listed) == (1 if redis_forgot_the_run else 0)


def test_a_pull_request_whose_head_already_has_a_baseline_takes_the_run_over(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.repo.fast_forward("main", head)
    assert stack.deliver("push", payloads.push(stack.target, head)).status_code == 202
    baseline = copy.deepcopy(stack.completed_run(head))
    assert baseline["conclusion"] == "neutral" and baseline["external_id"] == f"{stack.target.repo_id}:0:{head}"
    wait_idle(stack.redis)
    assert stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head)).status_code == 202
    stack.wait_for(lambda: stack.fake.check_runs[baseline["id"]]["history"].count("completed") == 2,
                   message="the PR's verdict")
    wait_idle(stack.redis)
    [run] = stack.fake.runs_for(head)
    assert run["id"] == baseline["id"] and run["external_id"] == f"{stack.target.repo_id}:{stack.target.number}:{head}"
    assert run["history"] == ["queued", "in_progress", "completed", "in_progress", "completed"]
    assert run["conclusion"] == "success"  # the PR adds nothing to a base that already holds its head
    assert run["output"]["summary"] != baseline["output"]["summary"]
    assert [e.sha for e in read_history(stack.redis, stack.target.repo_id)] == [head]
