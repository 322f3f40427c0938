"""Fixtures for the receiver tests: a real Redis database and the receiver served by uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from app.web.server import create_asgi
from config.settings import Settings
from tests.e2e.services import RedisProcess, clear, session_redis
from tests.web.serve import serve

SECRET = "It's a Secret to Everybody"
WEB_DB = 12


@pytest.fixture(scope="session")
def web_redis() -> Iterator[RedisProcess]:
    with session_redis() as server:
        yield server


def web_settings(redis_url: str, tmp_path: Path) -> Settings:
    """Return receiver settings against one Redis URL."""
    return Settings(webhook_secret=SECRET, app_id="1", private_key="", redis_url=redis_url,
                    github_api_url="http://127.0.0.1:9", data_dir=tmp_path, check_name="Verity")


@dataclass
class Receiver:
    """The receiver under test, its HTTP client and its Redis database."""

    client: httpx.Client
    redis: redis.Redis


@pytest.fixture
def receiver(web_redis: RedisProcess, tmp_path: Path) -> Iterator[Receiver]:
    url = web_redis.url(WEB_DB)
    clear(url)
    with serve(create_asgi(web_settings(url, tmp_path))) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield Receiver(client, redis.Redis.from_url(url))
    clear(url)
