"""The Celery task shims, applied eagerly: kwargs become jobs, retries honour the policy, errors conclude the check."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

from app.github import text
from app.github.job import AUDIT_TASK, COMMENT_TASK, INSTALLATION_TASK, AuditJob
from app.jobs.commands import text as command_text
from app.jobs.commands.explain import DOMAINS
from app.jobs.runtime import Runtime, set_runtime
from app.store.keys import COOLDOWN_SECONDS, installation_key, job_key, latest_head_key
from config.settings import Settings
from tests.e2e.fake_github import FakeGitHub, Pull
from tests.e2e.git_server import GitServer
from tests.e2e.repos import Repo
from tests.e2e.scenarios import BASE
from tests.workers.test_commands import comment_job, open_pull
from workers.celery_app import create_celery_app
from workers.tasks import CONCLUDE_KEY, CONCLUDE_RETRIES, describe

REPO = "octo-org/tasks"
HEAD = "1" * 40
NEWER = "2" * 40
JOB = AuditJob(installation_id=77, repo_id=601, repo_full_name=REPO, pr_number=7, head_sha=HEAD, base_ref="main",
               clone_url="https://github.com/octo-org/tasks.git", delivery_id="d-task")
PULLS = rf"/repos/{REPO}/pulls/7$"


@pytest.fixture(scope="module")
def celery() -> Celery:
    """Return Verity's Celery app; eager `apply` runs the tasks here, retries included, without a broker."""
    return create_celery_app(Settings(webhook_secret="s", app_id="1", private_key="k"))


@pytest.fixture
def runtime(rt: Runtime) -> Iterator[Runtime]:
    """Install the test runtime as the process's, as a worker's first task would build it."""
    set_runtime(rt)
    yield rt
    set_runtime(None)


def run(celery: Celery, task: str, kwargs: dict[str, Any], task_id: str = "task-7") -> Any:
    """Apply a task eagerly and return its result, raising what it raised."""
    return celery.tasks[task].apply(kwargs=kwargs, task_id=task_id).get()


def superseded_meanwhile(fake: FakeGitHub, db: redis.Redis) -> None:
    """Make JOB's head stale: the receiver saw a newer push, which GitHub confirms (unless told to fail)."""
    db.set(latest_head_key(JOB.repo_id, JOB.pr_number), NEWER)
    fake.pulls[(REPO, 7)] = Pull(NEWER, "main")


def concluded(fake: FakeGitHub, head: str = HEAD) -> dict[str, Any]:
    """Return the one check run on a head, which must be completed."""
    [check] = fake.runs_for(head)
    assert check["status"] == "completed", check["history"]
    return check


def error_summary(reason: str) -> str:
    """Return the summary of a check concluded on error with the default policy (`gate.on_error` neutral)."""
    return text.SUMMARY_ERROR.format(conclusion="neutral", reason=reason)


def test_describe_gives_one_bounded_line_and_never_a_traceback() -> None:
    assert describe(SoftTimeLimitExceeded()) == "the audit took longer than the time limit"
    assert describe(RuntimeError("git fetch failed\nTraceback (most recent call last):")) == "git fetch failed"
    assert describe(RuntimeError("x" * 2000)) == "x" * 500
    assert describe(KeyError()) == "KeyError"


def test_the_audit_task_rebuilds_its_job_from_kwargs_and_runs_it(celery: Celery, runtime: Runtime, fake: FakeGitHub,
                                                                 db: redis.Redis) -> None:
    superseded_meanwhile(fake, db)
    assert run(celery, AUDIT_TASK, {**JOB.to_json(), "added_in_a_later_version": 1}) == "superseded"
    check = concluded(fake)
    assert (check["conclusion"], check["output"]["title"]) == ("neutral", text.TITLE_SUPERSEDED)
    assert check["external_id"] == f"{JOB.repo_id}:7:{HEAD}"


def test_the_audit_task_claims_its_job_under_its_own_task_id(celery: Celery, runtime: Runtime, fake: FakeGitHub,
                                                             db: redis.Redis, git_server: GitServer,
                                                             served_repo: Repo) -> None:
    head = open_pull(fake, served_repo, {"README.md": BASE["README.md"] + "\nMore words.\n"})
    job = AuditJob(installation_id=77, repo_id=602, repo_full_name=served_repo.full_name, pr_number=7, head_sha=head,
                   base_ref="main", clone_url=git_server.url(served_repo.full_name))
    assert run(celery, AUDIT_TASK, job.to_json(), task_id="task-audit") == "published"
    assert concluded(fake, head)["conclusion"] == "success"
    [claimed] = db.keys(job_key(602, 7, head, "*"))
    assert db.get(claimed) == b"task-audit"


def test_a_pending_conclusion_is_all_a_retry_does(celery: Celery, runtime: Runtime, fake: FakeGitHub) -> None:
    assert run(celery, AUDIT_TASK, {**JOB.to_json(), CONCLUDE_KEY: "GitHub answered 502"}) == "error"
    check = concluded(fake)
    assert (check["conclusion"], check["output"]["title"]) == ("neutral", text.TITLE_ERROR)
    assert check["output"]["summary"] == error_summary("GitHub answered 502")
    assert fake.calls("GET", PULLS) == []  # the audit itself did not run again


def test_transient_failures_are_retried_after_retry_after_then_conclude(celery: Celery, runtime: Runtime,
                                                                        fake: FakeGitHub, db: redis.Redis,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="verity.tasks")
    superseded_meanwhile(fake, db)
    fake.fail("GET", PULLS, 503, headers={"Retry-After": "4"}, times=100)
    assert run(celery, AUDIT_TASK, JOB.to_json()) == "error"
    tries = runtime.retry.max_retries + 1
    assert len(fake.calls("GET", PULLS)) == tries
    waits = [vars(r)["wait"] for r in caplog.records if r.getMessage() == "retrying"]
    assert len(waits) == runtime.retry.max_retries and min(waits) >= 4.0  # never sooner than GitHub asked
    reason = f"GET /repos/{REPO}/pulls/7: GitHub answered 503"
    assert concluded(fake)["output"]["summary"] == error_summary(reason)


def test_a_permanent_failure_concludes_at_once(celery: Celery, runtime: Runtime, fake: FakeGitHub, db: redis.Redis,
                                               caplog: pytest.LogCaptureFixture) -> None:
    superseded_meanwhile(fake, db)
    fake.fail("GET", PULLS, 404)
    assert run(celery, AUDIT_TASK, JOB.to_json()) == "error"
    assert len(fake.calls("GET", PULLS)) == 1
    assert concluded(fake)["output"]["summary"] == error_summary(f"GET /repos/{REPO}/pulls/7: GitHub answered 404")
    assert any(r.getMessage() == "audit failed" and r.exc_info for r in caplog.records)


def test_a_refused_conclusion_is_retried_alone_with_the_first_reason(celery: Celery, runtime: Runtime,
                                                                     fake: FakeGitHub, db: redis.Redis) -> None:
    superseded_meanwhile(fake, db)
    fake.fail("GET", PULLS, 404)
    fake.fail("POST", rf"/repos/{REPO}/check-runs$", 502)
    assert run(celery, AUDIT_TASK, JOB.to_json()) == "error"
    assert len(fake.calls("GET", PULLS)) == 1
    assert len(fake.calls("POST", r"/check-runs$")) == 2
    assert concluded(fake)["output"]["summary"] == error_summary(f"GET /repos/{REPO}/pulls/7: GitHub answered 404")


def test_a_conclusion_github_never_takes_is_given_up_after_its_own_retries(celery: Celery, runtime: Runtime,
                                                                           fake: FakeGitHub, db: redis.Redis,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    superseded_meanwhile(fake, db)
    fake.fail("GET", PULLS, 404)
    fake.fail("PATCH", rf"/repos/{REPO}/check-runs/\d+$", 502, times=100)
    assert run(celery, AUDIT_TASK, JOB.to_json()) == "error"
    # The first give-up, a try on each retry up to max_retries + CONCLUDE_RETRIES, and a last give-up on that one.
    assert len(fake.calls("PATCH", r"/check-runs/\d+$")) == runtime.retry.max_retries + CONCLUDE_RETRIES + 2
    assert [r["status"] for r in fake.check_runs.values()] == ["queued"]  # created at once, never concluded
    [gave_up] = [r for r in caplog.records if r.getMessage() == "could not conclude the check run"]
    assert vars(gave_up)["reason"] == f"GET /repos/{REPO}/pulls/7: GitHub answered 404"  # not the 502s since


def test_the_comment_task_rebuilds_its_job_and_handles_the_command(celery: Celery, runtime: Runtime,
                                                                   fake: FakeGitHub) -> None:
    job = comment_job(fake, "/audit help", "rita")
    assert run(celery, COMMENT_TASK, job.to_json()) == "help"
    assert [r["body"] for r in fake.replies] == [command_text.HELP.format(cooldown=COOLDOWN_SECONDS, domains=DOMAINS)]


def test_a_comment_that_fails_before_its_head_is_known_concludes_nothing(celery: Celery, runtime: Runtime,
                                                                         fake: FakeGitHub,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    job = comment_job(fake, "/audit help", "rita")
    fake.fail("GET", rf"/issues/comments/{job.comment_id}$", 403)
    assert run(celery, COMMENT_TASK, job.to_json()) == "error"
    assert fake.calls("GET", r"/check-runs$") == [] and fake.calls("POST", r"/check-runs$") == []
    assert any(r.getMessage() == "command failed before its head was known" for r in caplog.records)


def test_the_installation_task_rebuilds_its_job_from_json_lists(celery: Celery, runtime: Runtime,
                                                                db: redis.Redis) -> None:
    kwargs = {"installation_id": 8, "action": "added", "added_repo_ids": [1, 2], "removed_repo_ids": [],
              "delivery_id": "d-inst"}
    assert run(celery, INSTALLATION_TASK, kwargs) == "added"
    assert db.smembers(installation_key(8)) == {b"1", b"2"}


def retried(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the reasons of every retry the task shims logged."""
    return [vars(r)["reason"] for r in caplog.records if r.getMessage() == "retrying"]


@pytest.mark.parametrize("clone_url", ["file:///etc/verity.git", "git://github.com/octo-org/tasks.git",
                                       "https://user:pw@github.com/octo-org/tasks.git"])
def test_a_refused_clone_url_concludes_at_once(celery: Celery, runtime: Runtime, fake: FakeGitHub, clone_url: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="verity.tasks")
    job = AuditJob(installation_id=77, repo_id=603, repo_full_name=REPO, pr_number=7, head_sha=HEAD,
                   base_ref="main", clone_url=clone_url)
    assert run(celery, AUDIT_TASK, job.to_json()) == "error"
    assert retried(caplog) == []
    summary = concluded(fake)["output"]["summary"]
    assert "clone_url" in summary and summary.startswith(error_summary("")[:20])


def test_a_repository_that_is_gone_concludes_at_once(celery: Celery, runtime: Runtime, fake: FakeGitHub,
                                                     git_server: GitServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="verity.tasks")
    job = AuditJob(installation_id=77, repo_id=604, repo_full_name=REPO, pr_number=7, head_sha=HEAD,
                   base_ref="main", clone_url=git_server.url("octo-org/deleted-long-ago"))
    assert run(celery, AUDIT_TASK, job.to_json()) == "error"
    assert retried(caplog) == []
    assert "the repository is gone" in concluded(fake)["output"]["summary"]


def test_a_git_server_that_does_not_answer_is_retried(celery: Celery, runtime: Runtime, fake: FakeGitHub,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="verity.tasks")
    with socket.socket() as closed:  # a loopback port nobody listens on: the network failing, for now
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    job = AuditJob(installation_id=77, repo_id=605, repo_full_name=REPO, pr_number=7, head_sha=HEAD,
                   base_ref="main", clone_url=f"http://127.0.0.1:{port}/octo-org/tasks.git")
    assert run(celery, AUDIT_TASK, job.to_json()) == "error"
    assert len(retried(caplog)) == runtime.retry.max_retries
    assert concluded(fake)["conclusion"] == "neutral"


def test_a_redis_connection_error_is_retried(celery: Celery, rt: Runtime, fake: FakeGitHub,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="verity.tasks")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    rt.redis = redis.Redis(port=port, socket_connect_timeout=1)  # Redis restarting: nobody listens yet
    set_runtime(rt)
    try:
        assert run(celery, AUDIT_TASK, JOB.to_json()) == "error"
    finally:
        set_runtime(None)
    assert len(retried(caplog)) >= rt.retry.max_retries
    assert not any(r.getMessage() == "audit failed" for r in caplog.records)
