"""Verity's check run against the fake GitHub and a real Redis: find or create, start, complete in batches."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from app.github import text
from app.github.checks import RERUN_ACTION, CheckRuns, Run, external_id, now, pull_request_of
from app.github.client import GitHubClient, InstallationTokens
from app.github.errors import TransientGitHubError
from app.github.output import Annotation, CheckOutput, message_output
from app.store.keys import annotations_key, check_run_key
from app.store.state import RedisRunIds, RedisSentAnnotations
from config.settings import Settings
from tests.e2e.fake_github import FakeGitHub, FakeServer, Recorded
from tests.e2e.services import AppKey, app_key, clear, session_redis
from tests.workers.conftest import WORKERS_DB, empty_ca_dir

APP_ID = "31"
REPO = "octo-org/checks"
HEAD = "d" * 40
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module", autouse=True)
def _plain_http_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with empty_ca_dir(tmp_path_factory):
        yield


@pytest.fixture(scope="module")
def key() -> AppKey:
    return app_key()


@pytest.fixture(scope="module")
def server(key: AppKey) -> Iterator[FakeServer]:
    with FakeServer(FakeGitHub(APP_ID, key.public_pem)) as served:
        yield served


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with session_redis() as redis_server:
        yield redis_server.url(WORKERS_DB)


@pytest.fixture
def db(redis_url: str) -> Iterator[redis.Redis]:
    """Yield a client of the test database, with Verity's keys cleared before and after."""
    clear(redis_url)
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()
    clear(redis_url)


@pytest.fixture(scope="module")
def gh(server: FakeServer, key: AppKey, tmp_path_factory: pytest.TempPathFactory) -> GitHubClient:
    """Return a client holding an installation token the fake minted (once: minting is the slow part)."""
    settings = Settings(webhook_secret="s", app_id=APP_ID, private_key=key.private_pem,
                        github_api_url=server.url, data_dir=tmp_path_factory.mktemp("checks"))
    return GitHubClient(settings, InstallationTokens(settings).get(3))


@pytest.fixture
def fake(server: FakeServer, gh: GitHubClient) -> Iterator[FakeGitHub]:
    """Yield the fake GitHub, emptied but for its tokens; fail the test if a request broke the REST description."""
    tokens = dict(server.fake.tokens)
    server.fake.reset()
    server.fake.tokens.update(tokens)
    yield server.fake
    assert server.fake.errors == [], "requests broke GitHub's REST description"


def holding(gh: GitHubClient, db: redis.Redis, holder: str) -> CheckRuns:
    """Return the check runs as a job with this root task id sees them."""
    return CheckRuns(gh, REPO, "Verity", RedisRunIds(db, 1, "Verity"), RedisSentAnnotations(db), APP_ID, holder=holder)


def runs(gh: GitHubClient, db: redis.Redis, app_id: str = APP_ID) -> CheckRuns:
    """Return the check runs of REPO as a worker builds them."""
    return CheckRuns(gh, REPO, "Verity", RedisRunIds(db, 1, "Verity"), RedisSentAnnotations(db), app_id)


def numbered(start: int, stop: int) -> tuple[Annotation, ...]:
    """Return annotations numbered start..stop-1, each on its own file."""
    return tuple(Annotation(f"fp-{i}", {"path": f"src/f{i}.py", "start_line": 1, "end_line": 1,
                                        "annotation_level": "failure", "title": f"T{i}", "message": "m"})
                 for i in range(start, stop))


def result(items: tuple[Annotation, ...]) -> CheckOutput:
    """Return a failed audit's output carrying annotations."""
    return CheckOutput("failure", "1 domain regressed", "summary", "details", items)


def patches(fake: FakeGitHub, run_id: int) -> list[Recorded]:
    """Return the updates sent to one check run."""
    return fake.calls("PATCH", rf"/repos/{REPO}/check-runs/{run_id}$")


def sent_paths(body: dict[str, Any]) -> list[str]:
    """Return the paths of the annotations one update carries."""
    return [a["path"] for a in body["output"].get("annotations", [])]


def test_ensure_creates_a_queued_run_once_and_remembers_it(gh: GitHubClient, db: redis.Redis, fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure(HEAD, "1:7:" + HEAD)
    [created] = fake.calls("POST", rf"/repos/{REPO}/check-runs$")
    assert created.body == {"name": "Verity", "head_sha": HEAD, "status": "queued", "external_id": "1:7:" + HEAD,
                            "output": {"title": text.TITLE_QUEUED, "summary": text.SUMMARY_IN_PROGRESS}}
    assert fake.check_runs[run_id]["status"] == "queued"
    requests = len(fake.requests)
    assert checks.ensure(HEAD, "1:7:" + HEAD) == run_id
    assert len(fake.requests) == requests  # remembered in Redis: GitHub is not asked again
    assert RedisRunIds(db, 1, "Verity").get(HEAD) == (run_id, "1:7:" + HEAD)


def test_ensure_finds_the_run_github_has_when_redis_forgot_it(gh: GitHubClient, db: redis.Redis,
                                                              fake: FakeGitHub) -> None:
    run_id = runs(gh, db).ensure(HEAD, "x")
    db.delete(check_run_key(1, HEAD, "Verity"))
    assert runs(gh, db).ensure(HEAD, "x") == run_id
    assert len(fake.calls("POST", r"/check-runs$")) == 1
    lookup = fake.calls("GET", rf"/repos/{REPO}/commits/{HEAD}/check-runs$")[-1]
    assert lookup.query == {"check_name": "Verity", "filter": "latest", "app_id": APP_ID}
    assert RedisRunIds(db, 1, "Verity").get(HEAD) == (run_id, "x")


def test_a_non_numeric_app_id_is_left_out_of_the_lookup(gh: GitHubClient, db: redis.Redis, fake: FakeGitHub) -> None:
    runs(gh, db, app_id="Iv1.8a61f9b3a7aba766").ensure(HEAD, "x")
    [lookup] = fake.calls("GET", r"/check-runs$")
    assert lookup.query == {"check_name": "Verity", "filter": "latest"}


PR_RUN = external_id(1, 7, HEAD)
BASELINE_RUN = external_id(1, 0, HEAD)


def test_external_ids_name_the_repository_the_pull_request_and_the_head() -> None:
    assert [external_id(1, 7, HEAD), external_id(1, 0, HEAD)] == [f"1:7:{HEAD}", f"1:0:{HEAD}"]
    assert (pull_request_of(PR_RUN), pull_request_of(BASELINE_RUN)) == (7, 0)
    assert [pull_request_of(other) for other in ("", "x", "1:x:2", "1:²:2", f"1:7:{HEAD}:more")] == [None] * 5
    assert Run(5, PR_RUN).owned_by_pull_request
    assert not any(Run(5, other).owned_by_pull_request for other in (BASELINE_RUN, "", "x"))


def test_a_baseline_leaves_a_pull_request_s_run_without_a_single_request(gh: GitHubClient, db: redis.Redis,
                                                                        fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure(HEAD, PR_RUN)
    checks.start(run_id)
    requests = len(fake.requests)
    assert checks.ensure_baseline(HEAD, BASELINE_RUN) is None
    assert len(fake.requests) == requests  # Redis knows the owner: GitHub is not even asked
    assert fake.check_runs[run_id]["external_id"] == PR_RUN and fake.check_runs[run_id]["status"] == "in_progress"
    assert RedisRunIds(db, 1, "Verity").get(HEAD) == (run_id, PR_RUN)


@pytest.mark.parametrize("remembered", ["nothing", "a bare run id"])
def test_a_baseline_reads_the_owner_from_github_when_redis_lacks_it(gh: GitHubClient, db: redis.Redis,
                                                                    fake: FakeGitHub, remembered: str) -> None:
    run_id = runs(gh, db).ensure(HEAD, PR_RUN)
    if remembered == "nothing":
        db.delete(check_run_key(1, HEAD, "Verity"))
    else:
        db.set(check_run_key(1, HEAD, "Verity"), run_id)
    lookups = len(fake.calls("GET", rf"/repos/{REPO}/commits/{HEAD}/check-runs$"))
    assert runs(gh, db).ensure_baseline(HEAD, BASELINE_RUN) is None
    assert len(fake.calls("GET", rf"/repos/{REPO}/commits/{HEAD}/check-runs$")) == lookups + 1
    assert fake.calls("PATCH", r"/check-runs/") == [] and len(fake.calls("POST", r"/check-runs$")) == 1
    assert RedisRunIds(db, 1, "Verity").get(HEAD) == (run_id, PR_RUN)


def test_a_baseline_creates_its_run_and_writes_its_own_again(gh: GitHubClient, db: redis.Redis,
                                                             fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure_baseline(HEAD, BASELINE_RUN)
    assert run_id is not None and fake.check_runs[run_id]["external_id"] == BASELINE_RUN
    db.delete(check_run_key(1, HEAD, "Verity"))
    assert runs(gh, db).ensure_baseline(HEAD, BASELINE_RUN) == run_id
    assert len(fake.calls("POST", r"/check-runs$")) == 1 and fake.calls("PATCH", r"/check-runs/") == []


def test_a_run_carrying_no_owner_is_adopted_by_the_baseline(gh: GitHubClient, db: redis.Redis,
                                                            fake: FakeGitHub) -> None:
    run_id = runs(gh, db).ensure(HEAD, "")  # as GitHub lists a run made without an external id
    assert runs(gh, db).ensure_baseline(HEAD, BASELINE_RUN) == run_id
    [stamp] = patches(fake, run_id)
    assert stamp.body == {"external_id": BASELINE_RUN}
    assert RedisRunIds(db, 1, "Verity").get(HEAD) == (run_id, BASELINE_RUN)


def test_a_pull_request_s_audit_adopts_a_baseline_run_and_stamps_it_as_its_own(gh: GitHubClient, db: redis.Redis,
                                                                              fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure_baseline(HEAD, BASELINE_RUN)
    assert run_id is not None
    checks.complete(run_id, message_output("neutral", "Baseline", "scores"))
    assert checks.ensure(HEAD, PR_RUN) == run_id
    [stamp] = [p for p in patches(fake, run_id) if "external_id" in p.body]
    assert stamp.body == {"external_id": PR_RUN}
    assert fake.check_runs[run_id]["external_id"] == PR_RUN
    assert RedisRunIds(db, 1, "Verity").get(HEAD) == (run_id, PR_RUN)
    requests = len(fake.requests)
    assert checks.ensure(HEAD, PR_RUN) == run_id and len(fake.requests) == requests  # stamped once
    assert checks.ensure_baseline(HEAD, BASELINE_RUN) is None  # from now on the baseline leaves it be
    db.delete(check_run_key(1, HEAD, "Verity"))
    assert runs(gh, db).ensure_baseline(HEAD, BASELINE_RUN) is None  # GitHub tells the same


@pytest.mark.parametrize("second", ["a baseline", "another audit of the PR"])
def test_two_jobs_starting_together_on_a_new_head_make_one_run(gh: GitHubClient, db: redis.Redis,
                                                                 fake: FakeGitHub, second: str) -> None:
    held = fake.hold("POST", rf"/repos/{REPO}/check-runs$")
    got: dict[str, int | None] = {}
    first = threading.Thread(target=lambda: got.update(pr=holding(gh, db, "task-1").ensure(HEAD, PR_RUN)))
    first.start()
    assert held.reached.wait(10), "the PR's audit is creating the run"
    later = holding(gh, db, "task-2")
    act = (lambda: later.ensure_baseline(HEAD, BASELINE_RUN)) if second == "a baseline" else (
        lambda: later.ensure(HEAD, PR_RUN))
    other = threading.Thread(target=lambda: got.update(other=act()))
    other.start()
    other.join(0.6)
    assert other.is_alive(), "the second job waits for the run being created instead of creating its own"
    held.release.set()
    first.join(10)
    other.join(10)
    assert len(fake.runs_for(HEAD)) == 1 and len(fake.calls("POST", rf"/repos/{REPO}/check-runs$")) == 1
    assert got["other"] == (None if second == "a baseline" else got["pr"])


def test_a_job_retrying_its_own_create_does_not_wait_for_itself(gh: GitHubClient, db: redis.Redis,
                                                                 fake: FakeGitHub) -> None:
    fake.fail("POST", rf"/repos/{REPO}/check-runs$", 502)
    with pytest.raises(TransientGitHubError):
        holding(gh, db, "task-1").ensure(HEAD, PR_RUN)
    started = time.monotonic()
    run_id = holding(gh, db, "task-1").ensure(HEAD, PR_RUN)
    assert time.monotonic() - started < 5 and fake.runs_for(HEAD)[0]["id"] == run_id


def test_a_job_whose_creator_died_creates_the_run_after_waiting(gh: GitHubClient, db: redis.Redis,
                                                                fake: FakeGitHub) -> None:
    assert RedisRunIds(db, 1, "Verity").reserve(HEAD, "task-0")  # a job that died before its create
    checks = CheckRuns(gh, REPO, "Verity", RedisRunIds(db, 1, "Verity"), RedisSentAnnotations(db), APP_ID,
                       holder="task-1", create_wait=0.5)
    run_id = checks.ensure(HEAD, PR_RUN)
    assert [r["id"] for r in fake.runs_for(HEAD)] == [run_id]


def test_start_marks_the_run_in_progress(gh: GitHubClient, db: redis.Redis, fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure(HEAD, "x")
    checks.start(run_id)
    [started] = patches(fake, run_id)
    assert started.body["status"] == "in_progress" and ISO.fullmatch(started.body["started_at"])
    assert started.body["output"] == {"title": text.TITLE_IN_PROGRESS, "summary": text.SUMMARY_IN_PROGRESS}
    assert fake.check_runs[run_id]["history"] == ["queued", "in_progress"]


def test_complete_sends_annotations_in_batches_of_50_and_concludes_last(gh: GitHubClient, db: redis.Redis,
                                                                        fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure(HEAD, "x")
    assert checks.complete(run_id, result(numbered(0, 120))) == 3
    first, second, last = (p.body for p in patches(fake, run_id))
    assert [len(sent_paths(b)) for b in (first, second, last)] == [50, 50, 20]
    assert "conclusion" not in first and "status" not in second  # only the last update concludes
    assert (last["status"], last["conclusion"], last["actions"]) == ("completed", "failure", [RERUN_ACTION])
    assert ISO.fullmatch(last["completed_at"])
    assert last["output"]["title"] == "1 domain regressed" and last["output"]["text"] == "details"
    assert len(fake.check_runs[run_id]["annotations"]) == 120
    assert RedisSentAnnotations(db).sent(run_id) == {f"fp-{i}" for i in range(120)}


def test_annotations_already_on_the_run_are_never_sent_again(gh: GitHubClient, db: redis.Redis,
                                                             fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure(HEAD, "x")
    checks.complete(run_id, result(numbered(0, 60)))
    assert checks.complete(run_id, result(numbered(0, 70))) == 1
    assert sent_paths(patches(fake, run_id)[-1].body) == [f"src/f{i}.py" for i in range(60, 70)]
    assert checks.complete(run_id, result(numbered(0, 70))) == 0
    unchanged = patches(fake, run_id)[-1].body
    assert "annotations" not in unchanged["output"] and unchanged["conclusion"] == "failure"
    assert len(fake.check_runs[run_id]["annotations"]) == 70


def test_a_retry_after_a_failed_batch_sends_only_what_github_lacks(gh: GitHubClient, db: redis.Redis,
                                                                   fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure(HEAD, "x")
    fake.fail("PATCH", r"/check-runs/\d+$", 502, when=lambda body: sent_paths(body)[:1] == ["src/f50.py"])
    with pytest.raises(TransientGitHubError):
        checks.complete(run_id, result(numbered(0, 120)))
    assert RedisSentAnnotations(db).sent(run_id) == {f"fp-{i}" for i in range(50)}
    assert checks.complete(run_id, result(numbered(0, 120))) == 2
    paths = [a["path"] for a in fake.check_runs[run_id]["annotations"]]
    assert sorted(paths) == sorted(f"src/f{i}.py" for i in range(120))  # each exactly once
    assert fake.check_runs[run_id]["conclusion"] == "failure"


def test_a_message_completes_the_run_in_one_update_with_the_rerun_button(gh: GitHubClient, db: redis.Redis,
                                                                         fake: FakeGitHub) -> None:
    checks = runs(gh, db)
    run_id = checks.ensure(HEAD, "x")
    assert checks.complete(run_id, message_output("neutral", text.TITLE_SUPERSEDED, "moved on")) == 0
    [done] = patches(fake, run_id)
    assert done.body["output"] == {"title": text.TITLE_SUPERSEDED, "summary": "moved on"}
    assert fake.check_runs[run_id]["conclusion"] == "neutral"
    assert fake.check_runs[run_id]["actions"] == [
        {"label": text.RERUN_LABEL, "description": text.RERUN_DESCRIPTION, "identifier": text.RERUN_IDENTIFIER}]
    assert not db.exists(annotations_key(run_id))


def test_now_is_github_s_utc_timestamp() -> None:
    assert ISO.fullmatch(now())
