"""Real parts for the end-to-end tests: Redis, a Celery worker, the receiver, git over HTTP, fake GitHub."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker

from app.jobs.runtime import RetryPolicy, Runtime, set_runtime
from app.store.keys import LEASES
from app.web.server import create_asgi
from config.settings import Settings
from tests.e2e.fake_github import FakeGitHub, FakeServer, Pull
from tests.e2e.git_server import GitServer
from tests.e2e.payloads import Target, encode, headers
from tests.e2e.repos import Repo
from tests.e2e.services import AppKey, RedisProcess, app_key, clear, session_redis
from tests.web.serve import serve
from workers.celery_app import create_celery_app

APP_ID = "4242"
SECRET = "It's a Secret to Everybody"
E2E_DB = 13
TEST_RETRY = RetryPolicy(max_retries=3, base_seconds=0.1, cap_seconds=5.0)
_repo_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisProcess]:
    with session_redis() as server:
        yield server


@pytest.fixture(scope="session")
def key() -> AppKey:
    return app_key()


@pytest.fixture(scope="session")
def fake_server(key: AppKey) -> Iterator[FakeServer]:
    with FakeServer(FakeGitHub(APP_ID, key.public_pem)) as server:
        yield server


@pytest.fixture(scope="session")
def served_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="session")
def git_server(served_root: Path, fake_server: FakeServer) -> Iterator[GitServer]:
    with GitServer(served_root, lambda token: token in fake_server.fake.tokens) as server:
        yield server


def make_settings(redis_url: str, key: AppKey, api_url: str, data_dir: Path) -> Settings:
    """Return the settings a test's receiver and worker share."""
    return Settings(webhook_secret=SECRET, app_id=APP_ID, private_key=key.private_pem, redis_url=redis_url,
                    github_api_url=api_url, data_dir=data_dir, check_name="Verity")


@pytest.fixture(scope="session")
def session_settings(redis_server: RedisProcess, key: AppKey, fake_server: FakeServer,
                     tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(redis_server.url(E2E_DB), key, fake_server.url, tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def celery_worker(session_settings: Settings) -> Iterator[Celery]:
    app = create_celery_app(session_settings)
    clear(session_settings.redis_url)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield app
    clear(session_settings.redis_url)


@dataclass
class Stack:
    """One test's view of the running system."""

    settings: Settings
    fake: FakeGitHub
    git: GitServer
    client: httpx.Client
    repo: Repo
    target: Target
    redis: redis.Redis
    shas: dict[str, str] = field(default_factory=dict)

    def deliver(self, event: str, payload: dict[str, Any], delivery_id: str | None = None,
                secret: str = SECRET) -> Any:
        """POST a signed delivery to the receiver."""
        body = encode(payload)
        return self.client.post("/webhook", content=body, headers=headers(event, body, secret, delivery_id))

    def push_pull(self, head_sha: str) -> None:
        """Make a commit the PR's head, on the git server and in the fake API."""
        self.repo.open_pull(self.target.number, head_sha)
        base = self.shas["base"]
        self.fake.pulls[(self.target.full_name, self.target.number)] = Pull(head_sha, "main", base)
        self.fake.diff_lines[(self.target.full_name, self.target.number)] = self.repo.added_lines(base, head_sha)

    def wait_for(self, what: Callable[[], Any], timeout: float = 30.0, message: str = "") -> Any:
        """Poll until a condition holds, or fail naming it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = what()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {message or what}")

    def completed_run(self, head_sha: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait for the check run on a head SHA to complete, and return it."""
        def done() -> dict[str, Any] | None:
            runs = [r for r in self.fake.runs_for(head_sha) if r["status"] == "completed"]
            return runs[0] if runs else None
        return dict(self.wait_for(done, timeout, f"a completed check run on {head_sha[:8]}"))

    def queue_length(self) -> int:
        """Return how many jobs wait in the queue."""
        return int(self.redis.llen("verity"))


@contextmanager
def running_stack(settings: Settings, fake: FakeGitHub, git_server: GitServer, served_root: Path,
                  tmp_path: Path) -> Iterator[Stack]:
    """Yield a Stack: a fresh repository and PR target, the receiver served on loopback."""
    clear(settings.redis_url)
    fake.reset()
    set_runtime(Runtime(settings, TEST_RETRY))
    number = next(_repo_numbers)
    full_name = f"octo-org/repo{number}"
    repo = Repo(served_root, tmp_path / "work", full_name)
    target = Target(installation_id=77, repo_id=900 + number, full_name=full_name,
                    clone_url=git_server.url(full_name))
    client_redis = redis.Redis.from_url(settings.redis_url)
    try:
        with serve(create_asgi(settings)) as url, httpx.Client(base_url=url, timeout=10) as client:
            yield Stack(settings, fake, git_server, client, repo, target, client_redis)
        assert fake.errors == [], "requests broke GitHub's REST description"
    finally:
        wait_idle(client_redis)
        set_runtime(None)
        clear(settings.redis_url)


def wait_idle(client: redis.Redis, timeout: float = 30.0) -> None:
    """Wait until no job is queued or holds a lease: a job still running must not outlive its test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (client.llen("verity") or client.zcard(LEASES)):
        time.sleep(0.05)


@pytest.fixture
def stack(celery_worker: Celery, session_settings: Settings, fake_server: FakeServer, git_server: GitServer,
          served_root: Path, tmp_path: Path) -> Iterator[Stack]:
    settings = replace(session_settings, data_dir=tmp_path / "data")
    with running_stack(settings, fake_server.fake, git_server, served_root, tmp_path) as built:
        yield built
