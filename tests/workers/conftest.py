"""Fixtures for the worker tests: a real Redis database, the fake GitHub and a git server on loopback, a runtime."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from app.jobs.runtime import Runtime
from tests.e2e.conftest import APP_ID, TEST_RETRY, make_settings
from tests.e2e.fake_github import FakeGitHub, FakeServer
from tests.e2e.git_server import GitServer
from tests.e2e.repos import Repo
from tests.e2e.services import AppKey, RedisProcess, app_key, clear, session_redis

WORKERS_DB = 15


@contextmanager
def empty_ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point httpx at an empty CA directory while the tests talk plain HTTP to the fakes on loopback.

    githubkit builds an httpx client per request, and each one would parse certifi's whole bundle
    (~30 ms); an empty directory loads lazily, and nothing here needs a CA.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SSL_CERT_FILE", raising=False)  # httpx prefers it to SSL_CERT_DIR
        patch.setenv("SSL_CERT_DIR", str(tmp_path_factory.mktemp("no-ca")))
        yield


@pytest.fixture(scope="module", autouse=True)
def _plain_http_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with empty_ca_dir(tmp_path_factory):
        yield


@pytest.fixture(scope="session")
def workers_redis() -> Iterator[RedisProcess]:
    with session_redis() as server:
        yield server


@pytest.fixture(scope="session")
def app_keys() -> AppKey:
    return app_key()


@pytest.fixture(scope="session")
def fake_server(app_keys: AppKey) -> Iterator[FakeServer]:
    with FakeServer(FakeGitHub(APP_ID, app_keys.public_pem)) as server:
        yield server


@pytest.fixture
def db(workers_redis: RedisProcess) -> Iterator[redis.Redis]:
    """Yield a client of the workers' test database, with Verity's keys cleared before and after."""
    url = workers_redis.url(WORKERS_DB)
    clear(url)
    client = redis.Redis.from_url(url)
    yield client
    client.close()
    clear(url)


@pytest.fixture
def fake(fake_server: FakeServer) -> Iterator[FakeGitHub]:
    """Yield the fake GitHub, reset; fail the test if any request broke GitHub's REST description."""
    fake_server.fake.reset()
    yield fake_server.fake
    assert fake_server.fake.errors == [], "requests broke GitHub's REST description"


@pytest.fixture
def rt(db: redis.Redis, fake: FakeGitHub, fake_server: FakeServer, workers_redis: RedisProcess,
       app_keys: AppKey, tmp_path: Path) -> Runtime:
    """Return a worker runtime against the test database and the fake GitHub."""
    settings = make_settings(workers_redis.url(WORKERS_DB), app_keys, fake_server.url, tmp_path / "data")
    return Runtime(settings, TEST_RETRY)


@pytest.fixture(scope="session")
def git_server(tmp_path_factory: pytest.TempPathFactory, fake_server: FakeServer) -> Iterator[GitServer]:
    """Serve bare repositories over smart HTTP, to clients holding a token the fake GitHub minted."""
    with GitServer(tmp_path_factory.mktemp("served"), lambda token: token in fake_server.fake.tokens) as server:
        yield server


_repo_numbers = itertools.count(1)


@pytest.fixture
def served_repo(git_server: GitServer, tmp_path: Path) -> Repo:
    """Return a fresh repository published on the git server, under a name no other test uses."""
    return Repo(git_server.root, tmp_path / "work", f"octo-org/workers{next(_repo_numbers)}")
