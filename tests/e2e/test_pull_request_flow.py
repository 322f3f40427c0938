"""End-to-end: deliveries through the receiver, a real worker, git over HTTP and the fake GitHub."""

from __future__ import annotations

import logging

import pytest

from app.engine.cache import MemoryFactsCache
from app.engine.pipeline import audit_commits
from app.github import text
from app.github.job import QUEUE
from app.gitrepo.repo import GitRepo
from app.report.markdown import HOW_TO_PROCEED
from app.store.keys import delivery_key
from tests.e2e import payloads
from tests.e2e.conftest import Stack
from tests.e2e.scenarios import BAD_POLICY, BASE, FIX, LOOSE_POLICY, REGRESSION, REGRESSION_LINE, many_findings

TABLE_HEADER = "| Domain | Base | Head | Δ | Verdict | Why |"


def open_pull(stack: Stack, head_files: dict[str, str], base_files: dict[str, str] | None = None) -> str:
    """Commit the base and a PR head, publish both, and return the head SHA."""
    stack.shas["base"] = stack.repo.commit({**BASE, **(base_files or {})}, "base")
    stack.repo.publish("main")
    head = stack.repo.commit(head_files, "pr", branch="feature")
    stack.push_pull(head)
    return head


def test_regression_fails_with_table_annotations_and_comments(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    head = open_pull(stack, REGRESSION)
    response = stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    assert response.status_code == 202
    run = stack.completed_run(head)
    assert run["conclusion"] == "failure"
    assert run["history"][:2] == ["queued", "in_progress"] and run["history"][-1] == "completed"
    summary = run["output"]["summary"]
    assert summary.startswith(TABLE_HEADER)  # the title is not repeated as a heading
    # Every path:line links to the file at the head SHA, from the repository's html_url.
    link = f"{stack.target.html_url}/blob/{head}/demo/shell.py#L{REGRESSION_LINE}"
    assert f"[`demo/shell.py:{REGRESSION_LINE}`]({link})" in summary
    assert "### Blocking (1)" in summary and summary.index("### Blocking") < summary.index("How to proceed")
    assert summary.rstrip().endswith("\n".join(HOW_TO_PROCEED))
    assert run["output"]["text"]
    assert run["actions"][0]["identifier"] == text.RERUN_IDENTIFIER
    shell = [a for a in run["annotations"] if a["path"] == "demo/shell.py"]
    assert [(a["start_line"], a["annotation_level"]) for a in shell] == [(REGRESSION_LINE, "failure")]
    comments = stack.fake.review_comments
    assert [(c["path"], c["line"]) for c in comments] == [("demo/shell.py", REGRESSION_LINE)]
    assert "<!-- verity:fp=" in comments[0]["body"]
    assert [r["event"] for r in stack.fake.reviews] == ["COMMENT"]
    assert stack.fake.reviews[0]["commit_id"] == head
    assert all(auth.startswith("Basic ") for auth in stack.git.seen_auth[-2:])
    secrets = [*stack.fake.tokens, stack.settings.private_key.splitlines()[1]]
    assert caplog.text and not [s for s in secrets if s in caplog.text]


def test_fixing_push_succeeds_resolves_threads_without_duplicates(stack: Stack) -> None:
    first = open_pull(stack, REGRESSION)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", first))
    stack.completed_run(first)
    fixed = stack.repo.commit(FIX, "fix", branch="feature")
    stack.push_pull(fixed)
    assert stack.deliver("pull_request", payloads.pull_request(stack.target, "synchronize", fixed)).status_code == 202
    run = stack.completed_run(fixed)
    assert run["conclusion"] == "success"
    stack.wait_for(lambda: all(t["isResolved"] for t in stack.fake.threads.values()), message="threads resolved")
    assert len(stack.fake.threads) == 1
    assert len(stack.fake.review_comments) == 1
    assert len(stack.fake.reviews) == 1


def test_rerun_updates_the_same_check_run_and_never_duplicates(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    first = stack.completed_run(head)
    patches = len(first["patches"])
    rerun = payloads.check_run(stack.target, "requested_action", head, "Verity", text.RERUN_IDENTIFIER)
    assert stack.deliver("check_run", rerun).status_code == 202
    stack.wait_for(lambda: len(stack.fake.check_runs[first["id"]]["patches"]) >= patches + 2, message="re-run")
    stack.completed_run(head)
    assert len(stack.fake.calls("POST", r"/check-runs$")) == 1
    assert len(stack.fake.check_runs[first["id"]]["annotations"]) == len(first["annotations"])
    assert len(stack.fake.review_comments) == 1 and len(stack.fake.reviews) == 1


def test_duplicate_delivery_queues_one_job(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    payload = payloads.pull_request(stack.target, "opened", head)
    assert stack.deliver("pull_request", payload, delivery_id="dup-1").status_code == 202
    again = stack.deliver("pull_request", payload, delivery_id="dup-1")
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    stack.completed_run(head)
    assert len(stack.fake.calls("POST", r"/check-runs$")) == 1
    assert len(stack.fake.calls("GET", r"/pulls/\d+/comments$")) == 1


def test_same_head_from_two_events_is_audited_once(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    stack.deliver("pull_request", payloads.pull_request(stack.target, "ready_for_review", head))
    stack.completed_run(head)
    stack.wait_for(lambda: stack.queue_length() == 0, message="queue drained")
    assert len(stack.fake.calls("POST", r"/check-runs$")) == 1
    assert len(stack.fake.calls("POST", r"/reviews$")) == 1


def test_bad_signature_is_refused_and_queues_nothing(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    payload = payloads.pull_request(stack.target, "opened", head)
    response = stack.deliver("pull_request", payload, delivery_id="forged", secret="not the secret")
    assert response.status_code == 401
    assert stack.queue_length() == 0
    assert not stack.redis.exists(delivery_key("forged"))
    assert stack.fake.requests == []


def test_two_quick_pushes_publish_only_the_newest(stack: Stack) -> None:
    older = open_pull(stack, REGRESSION)
    held = stack.fake.hold("POST", r"/access_tokens$")
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", older))
    assert held.reached.wait(20), "the worker never started the first job"
    newer = stack.repo.commit(FIX, "fix", branch="feature")
    stack.push_pull(newer)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "synchronize", newer))
    held.release.set()
    superseded = stack.completed_run(older)
    assert superseded["conclusion"] == "neutral"
    assert superseded["output"]["title"] == text.TITLE_SUPERSEDED
    assert stack.completed_run(newer)["conclusion"] == "success"
    assert all(r["commit_id"] != older for r in stack.fake.reviews)
    assert superseded["annotations"] == []


def test_github_502_is_retried_and_completes(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.fake.fail("POST", r"/check-runs$", 502)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    run = stack.completed_run(head)
    assert run["conclusion"] == "failure"
    assert [c.status for c in stack.fake.calls("POST", r"/check-runs$")] == [502, 201]
    assert len(stack.fake.runs_for(head)) == 1


def test_secondary_rate_limit_waits_for_retry_after(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.fake.fail("PATCH", r"/check-runs/\d+$", 403, headers={"Retry-After": "2"},
                    body={"message": "You have exceeded a secondary rate limit."})
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    assert stack.completed_run(head)["conclusion"] == "failure"
    patches = stack.fake.calls("PATCH", r"/check-runs/\d+$")
    assert patches[0].status == 403
    assert patches[1].at - patches[0].at >= 1.95


def test_exhausted_retries_conclude_with_on_error(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.fake.fail("GET", r"/pulls/\d+/comments$", 502, times=100)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    run = stack.completed_run(head)
    assert run["conclusion"] == "neutral"
    assert run["output"]["title"] == text.TITLE_ERROR
    assert "502" in run["output"]["summary"]


def test_a_refused_conclusion_is_retried_until_the_check_completes(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.fake.fail("GET", r"/pulls/\d+/comments$", 502, times=100)
    stack.fake.fail("PATCH", r"/check-runs/\d+$", 503, times=2, when=lambda body: "conclusion" in body)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    run = stack.completed_run(head)
    assert (run["conclusion"], run["output"]["title"]) == ("neutral", text.TITLE_ERROR)
    concluding = [c.status for c in stack.fake.calls("PATCH", r"/check-runs/") if "conclusion" in c.body]
    assert concluding == [503, 503, 200]


def test_120_findings_annotate_in_three_batches_with_overflow_note(stack: Stack) -> None:
    head = open_pull(stack, many_findings(120))
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    run = stack.completed_run(head, timeout=60)
    total = len(run["annotations"])
    shell = {a["start_line"] for a in run["annotations"] if a["title"].startswith("S602")}
    assert len(shell) == 120 and total < 150  # a check elsewhere may add a finding or two on the file
    sizes = [len(p.get("output", {}).get("annotations", [])) for p in run["patches"]]
    assert [s for s in sizes if s] == [50, 50, total - 100]
    summary = run["output"]["summary"]
    assert text.COMMENTS_OVERFLOW.format(count=total - 20, limit=20) in summary
    assert text.ANNOTATIONS_NOTE.format(sent=total, batches=3) in summary
    assert len(stack.fake.review_comments) == 20
    assert len(stack.fake.reviews) == 1


def test_pr_cannot_loosen_its_own_gate(stack: Stack) -> None:
    head = open_pull(stack, {**REGRESSION, **LOOSE_POLICY})
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    assert stack.completed_run(head)["conclusion"] == "failure"
    # The same change under the PR's own policy would pass: it is the base policy that held.
    repo = GitRepo(stack.repo.work)
    loose = LOOSE_POLICY[".github/verity.toml"]
    assert audit_commits(repo, stack.shas["base"], head, MemoryFactsCache(), policy_text=loose).passed


def test_invalid_base_policy_asks_for_action(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION, base_files=BAD_POLICY)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    run = stack.completed_run(head)
    assert run["conclusion"] == "action_required"
    assert run["output"]["title"] == text.TITLE_POLICY_ERROR
    assert ".github/verity.toml" in run["output"]["summary"]


def test_ignored_events_answer_200_and_queue_nothing(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    for action in ("labeled", "closed"):
        response = stack.deliver("pull_request", payloads.pull_request(stack.target, action, head))
        assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    assert stack.redis.llen(QUEUE) == 0
    assert stack.fake.requests == []


def test_audit_comment_reruns_the_current_head(stack: Stack) -> None:
    head = open_pull(stack, REGRESSION)
    stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head))
    first = stack.completed_run(head)
    patches = len(first["patches"])
    comment = payloads.example("issue_comment", "created")
    payloads.rewrite(comment, stack.target)
    comment["issue"]["number"] = stack.target.number
    comment["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/7"}
    comment["comment"].update(id=4321, body="/audit run")
    comment["comment"]["user"]["type"] = "User"
    stack.fake.issue_comments[4321] = {"id": 4321, "body": "/audit run", "user": {"login": "octocat", "type": "User"}}
    assert stack.deliver("issue_comment", comment).status_code == 202
    stack.wait_for(lambda: len(stack.fake.check_runs[first["id"]]["patches"]) >= patches + 2, message="re-run")
    assert len(stack.fake.calls("POST", r"/check-runs$")) == 1
    assert len(stack.fake.review_comments) == 1
