"""The Redis facts cache and the Celery configuration."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator

import pytest
import redis

from app.engine.model import FileFacts, RawFinding
from app.store.facts import RedisFactsCache
from app.store.keys import FACTS_PREFIX as PREFIX
from config.settings import Settings
from tests.e2e.services import RedisProcess, clear, session_redis
from workers.celery_app import TASK_TIME_LIMIT, VISIBILITY_TIMEOUT, celery_config, create_celery_app

CACHE_DB = 10


@pytest.fixture(scope="module")
def cache_redis() -> Iterator[RedisProcess]:
    with session_redis() as server:
        yield server


def test_facts_round_trip_and_bad_entries_count_as_absent(cache_redis: RedisProcess) -> None:
    url = cache_redis.url(CACHE_DB)
    client = redis.Redis.from_url(url)
    client.delete(*(list(client.scan_iter(PREFIX + "*")) or ["none"]))
    cache = RedisFactsCache(client)
    facts = FileFacts(path="a.py", kind="python", loc=3, findings=[RawFinding("QLT001", 0, "bad")], data={"k": [1]})
    cache.put_many({"r:sha:a.py": facts})
    client.set(PREFIX + "r:sha:b.py", b"not zlib")
    got = cache.get_many(["r:sha:a.py", "r:sha:b.py", "r:sha:c.py"])
    assert list(got) == ["r:sha:a.py"]
    assert got["r:sha:a.py"].to_json() == facts.to_json()
    assert client.ttl(PREFIX + "r:sha:a.py") > 0
    clear(url)
    client.delete(*(list(client.scan_iter(PREFIX + "*")) or ["none"]))


def test_celery_config_is_reliable() -> None:
    config = celery_config(Settings(webhook_secret="s", app_id="1", private_key="k", redis_url="redis://h:1/2"))
    assert config["broker_url"] == "redis://h:1/2"
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
    assert config["task_ignore_result"] and config["result_backend"] is None
    assert config["broker_transport_options"]["visibility_timeout"] > TASK_TIME_LIMIT
    assert VISIBILITY_TIMEOUT > TASK_TIME_LIMIT + 900  # also above the longest retry countdown


def test_tasks_are_registered_under_stable_names() -> None:
    app = create_celery_app(Settings(webhook_secret="s", app_id="1", private_key="k"))
    names = {n for n in app.tasks if n.startswith("verity.")}
    assert names == {"verity.audit_pull_request", "verity.audit_push", "verity.handle_comment",
                     "verity.record_installation", "verity.record_repository"}
    for name in names:
        task = app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost and task.ignore_result
        assert task.max_retries is None  # Celery's default cap of 3 would cut RetryPolicy short


def test_importing_the_celery_app_reads_no_environment() -> None:
    code = "import workers.celery_app as m; print(type(m.app).__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin"},
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Celery"
    importlib.import_module("workers.celery_app")
