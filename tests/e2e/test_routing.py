"""End-to-end locality: the receiver routes a repository's jobs to its queue, and the worker node
consuming that queue (`-Q`) audits them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from app.store.keys import all_queues, queue_for
from config.settings import Settings
from tests.e2e import payloads
from tests.e2e.conftest import running_stack
from tests.e2e.fake_github import FakeServer
from tests.e2e.git_server import GitServer
from tests.e2e.scenarios import REGRESSION
from tests.e2e.services import RedisProcess
from tests.e2e.test_pull_request_flow import open_pull
from tests.e2e.test_worker_killed import ROOT, worker_env

ROUTE_DB = 12
QUEUES = 4


def test_a_repository_job_goes_to_its_queue_and_its_node_audits_it(redis_server: RedisProcess,
                                                                   session_settings: Settings,
                                                                   fake_server: FakeServer, git_server: GitServer,
                                                                   served_root: Path, tmp_path: Path) -> None:
    settings = replace(session_settings, redis_url=redis_server.url(ROUTE_DB), data_dir=tmp_path / "data",
                       queues=QUEUES)
    with running_stack(settings, fake_server.fake, git_server, served_root, tmp_path) as stack:
        head = open_pull(stack, REGRESSION)
        assert stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head)).status_code == 202
        mine = queue_for(stack.target.repo_id, QUEUES)
        assert {q: stack.redis.llen(q) for q in all_queues(QUEUES)} == {q: int(q == mine) for q in all_queues(QUEUES)}
        log = (tmp_path / "worker.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-P", "solo", "-Q", mine,
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env={**worker_env(stack), "VERITY_QUEUES": str(QUEUES)}, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            assert stack.completed_run(head, timeout=60)["conclusion"] == "failure"
        finally:
            worker.kill()
            worker.wait(10)
            log.close()
        assert stack.redis.llen(mine) == 0
