"""The push task, applied eagerly: a baseline is claimed once per (commit, policy), and errors conclude its check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import redis
from celery import Celery

from app.github import text
from app.github.checks import external_id
from app.github.job import PUSH_TASK, REPOSITORY_TASK, PushJob, RepositoryJob
from app.jobs.push import check_runs
from app.jobs.runtime import Runtime, set_runtime
from app.store.history import read_history
from app.store.keys import check_run_key, push_head_key, push_job_key, repo_key
from config.settings import Settings
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.git_server import GitServer
from tests.e2e.repos import Repo
from tests.e2e.scenarios import BAD_POLICY, BASE
from workers.celery_app import create_celery_app


@pytest.fixture(scope="module")
def celery() -> Celery:
    """Return Verity's Celery app; eager `apply` runs the tasks here, retries included."""
    return create_celery_app(Settings(webhook_secret="s", app_id="1", private_key="k"))


@pytest.fixture
def runtime(rt: Runtime) -> Iterator[Runtime]:
    """Install the test runtime as the process's."""
    set_runtime(rt)
    yield rt
    set_runtime(None)


def run(celery: Celery, job: PushJob, task_id: str) -> Any:
    """Apply the push task eagerly and return its result."""
    return celery.tasks[PUSH_TASK].apply(kwargs=job.to_json(), task_id=task_id).get()


def published(served_repo: Repo, git_server: GitServer, files: dict[str, str], repo_id: int) -> PushJob:
    """Commit files on main, publish them, and return the push job of that head."""
    head = served_repo.commit(files, "base")
    served_repo.publish("main")
    return PushJob(77, repo_id, served_repo.full_name, head, "main", git_server.url(served_repo.full_name),
                   f"https://github.com/{served_repo.full_name}", False, "d-push")


def test_a_baseline_is_audited_once_per_commit_and_policy_unless_forced(
        celery: Celery, runtime: Runtime, fake: FakeGitHub, db: redis.Redis, git_server: GitServer,
        served_repo: Repo) -> None:
    job = published(served_repo, git_server, BASE, 701)
    assert run(celery, job, "task-a") == "published"
    [claimed] = db.keys(push_job_key(701, job.head_sha, "*"))
    assert db.get(claimed) == b"task-a"
    assert run(celery, job, "task-b") == "duplicate"
    assert run(celery, PushJob(**{**job.to_json(), "force": True}), "task-c") == "published"
    [check] = fake.runs_for(job.head_sha)
    assert check["conclusion"] == "neutral" and check["external_id"] == f"701:0:{job.head_sha}"
    assert [e.sha for e in read_history(db, 701)] == [job.head_sha]


def test_an_invalid_policy_on_the_default_branch_asks_for_action_and_records_nothing(
        celery: Celery, runtime: Runtime, fake: FakeGitHub, db: redis.Redis, git_server: GitServer,
        served_repo: Repo) -> None:
    job = published(served_repo, git_server, {**BASE, **BAD_POLICY}, 702)
    assert run(celery, job, "task-p") == "policy-error"
    [check] = fake.runs_for(job.head_sha)
    assert (check["conclusion"], check["output"]["title"]) == ("action_required", text.TITLE_POLICY_ERROR)
    assert read_history(db, 702) == []


def test_a_fetch_that_keeps_failing_concludes_the_baseline_with_the_reason(
        celery: Celery, runtime: Runtime, fake: FakeGitHub, db: redis.Redis) -> None:
    job = PushJob(77, 703, "octo-org/gone", "3" * 40, "main", "http://127.0.0.1:9/octo-org/gone.git",
                  "https://github.com/octo-org/gone", False, "d-gone")
    assert run(celery, job, "task-g") == "error"
    [check] = fake.runs_for(job.head_sha)
    assert (check["conclusion"], check["output"]["title"]) == ("neutral", text.TITLE_ERROR)
    assert read_history(db, 703) == []


def pull_request_run(rt: Runtime, job: PushJob) -> int:
    """Start a PR audit's check run on the job's head (the PR job still under way); return its id."""
    runs = check_runs(rt, job)
    run_id = runs.ensure(job.head_sha, external_id(job.repo_id, 7, job.head_sha))
    runs.start(run_id)
    return run_id


def untouched(fake: FakeGitHub, run_id: int) -> None:
    """Assert the PR's run is the only one on its head, still in progress, and got no update but its start."""
    run = fake.check_runs[run_id]
    assert fake.runs_for(run["head_sha"]) == [run] and len(fake.calls("POST", r"/check-runs$")) == 1
    assert run["history"] == ["queued", "in_progress"] and len(fake.calls("PATCH", r"/check-runs/")) == 1


@pytest.mark.parametrize("redis_forgot_the_run", [False, True])
def test_a_baseline_records_its_history_but_leaves_a_pull_request_s_run_under_way(
        celery: Celery, runtime: Runtime, fake: FakeGitHub, db: redis.Redis, git_server: GitServer,
        served_repo: Repo, redis_forgot_the_run: bool) -> None:
    job = published(served_repo, git_server, BASE, 705)
    run_id = pull_request_run(runtime, job)
    if redis_forgot_the_run:
        db.delete(check_run_key(705, job.head_sha, runtime.settings.check_name))
    assert run(celery, job, "task-f") == "recorded"
    untouched(fake, run_id)
    assert [e.sha for e in read_history(db, 705)] == [job.head_sha]
    assert len(fake.calls("GET", r"/check-runs$")) == (2 if redis_forgot_the_run else 1)


def test_a_superseded_or_failed_baseline_concludes_no_pull_request_s_run(
        celery: Celery, runtime: Runtime, fake: FakeGitHub, db: redis.Redis, git_server: GitServer,
        served_repo: Repo) -> None:
    job = published(served_repo, git_server, BASE, 706)
    run_id = pull_request_run(runtime, job)
    db.set(push_head_key(706), "e" * 40)  # a newer push was announced, and the branch moved on
    served_repo.commit({"demo/extra.py": '"""More."""\n'}, "newer")
    served_repo.publish("main")
    assert run(celery, job, "task-s") == "superseded"
    gone = PushJob(77, 706, "octo-org/gone", job.head_sha, "main", "http://127.0.0.1:9/octo-org/gone.git",
                   "https://github.com/octo-org/gone", False, "d-gone", force=True)
    assert run(celery, gone, "task-e") == "error"
    untouched(fake, run_id)
    assert read_history(db, 706) == []


def test_the_repository_task_records_privacy_and_forgets_deleted_repositories(
        celery: Celery, runtime: Runtime, fake: FakeGitHub, db: redis.Redis, git_server: GitServer,
        served_repo: Repo) -> None:
    job = published(served_repo, git_server, BASE, 704)
    assert run(celery, job, "task-r") == "published"

    def apply(action: str) -> Any:
        return celery.tasks[REPOSITORY_TASK].apply(kwargs=RepositoryJob(704, action).to_json()).get()

    assert apply("privatized") == "privatized"
    assert orjson.loads(db.get(repo_key(704)) or b"{}")["private"] is True
    assert apply("publicized") == "publicized"
    assert orjson.loads(db.get(repo_key(704)) or b"{}")["private"] is False
    assert apply("deleted") == "forgotten"
    assert db.get(repo_key(704)) is None and read_history(db, 704) == []
    assert apply("privatized") == "unknown"
