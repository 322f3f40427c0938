"""Installation bookkeeping: which repositories an installation grants; mirrors of lost ones go."""

from __future__ import annotations

from pathlib import Path

import redis

from app.github.job import InstallationJob
from app.jobs.installations import record_installation
from app.jobs.runtime import Runtime
from app.store.keys import installation_key
from config.settings import Settings
from tests.e2e.services import clear, session_redis


def test_repositories_are_recorded_and_lost_mirrors_removed(tmp_path: Path) -> None:
    with session_redis() as server:
        url = server.url(10)
        clear(url)
        rt = Runtime(Settings(webhook_secret="s", app_id="1", private_key="k", redis_url=url, data_dir=tmp_path))
        rt.mirrors.path(2).mkdir(parents=True)
        record_installation(rt, InstallationJob(8, "created", added_repo_ids=(1, 2, 3)))
        record_installation(rt, InstallationJob(8, "removed", removed_repo_ids=(2,)))
        members = redis.Redis.from_url(url).smembers(installation_key(8))
        assert members == {b"1", b"3"}
        assert not rt.mirrors.path(2).exists()
        record_installation(rt, InstallationJob(8, "deleted", removed_repo_ids=(1, 3)))
        assert not redis.Redis.from_url(url).exists(installation_key(8))
        clear(url)
