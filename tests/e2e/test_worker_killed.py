"""End-to-end: a worker process killed in the middle of a job; the job is redone, nothing doubles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from config.settings import Settings
from tests.e2e import payloads
from tests.e2e.conftest import Stack, running_stack
from tests.e2e.fake_github import FakeServer
from tests.e2e.git_server import GitServer
from tests.e2e.scenarios import REGRESSION, REGRESSION_LINE
from tests.e2e.services import RedisProcess
from tests.e2e.test_pull_request_flow import open_pull

KILL_DB = 14
ROOT = Path(__file__).resolve().parents[2]


def worker_env(stack: Stack) -> dict[str, str]:
    """Return the environment a `celery worker` process reads its settings from."""
    settings = stack.settings
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(settings.data_dir),
        "VERITY_WEBHOOK_SECRET": settings.webhook_secret,
        "VERITY_APP_ID": settings.app_id,
        "VERITY_PRIVATE_KEY": settings.private_key,
        "VERITY_REDIS_URL": settings.redis_url,
        "VERITY_GITHUB_API_URL": settings.github_api_url,
        "VERITY_DATA_DIR": str(settings.data_dir),
    }


def children(pid: int) -> list[int]:
    """Return the child process ids of a process we started."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


@pytest.fixture
def kill_stack(redis_server: RedisProcess, session_settings: Settings, fake_server: FakeServer,
               git_server: GitServer, served_root: Path, tmp_path: Path) -> Iterator[Stack]:
    settings = replace(session_settings, redis_url=redis_server.url(KILL_DB), data_dir=tmp_path / "data")
    with running_stack(settings, fake_server.fake, git_server, served_root, tmp_path) as built:
        yield built


def test_killed_worker_job_is_redone_without_duplicates(kill_stack: Stack) -> None:
    stack = kill_stack
    head = open_pull(stack, REGRESSION)
    held = stack.fake.hold("PATCH", r"/check-runs/\d+$")
    log = (stack.settings.data_dir.parent / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-P", "prefork", "-c", "1",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=worker_env(stack), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        assert stack.deliver("pull_request", payloads.pull_request(stack.target, "opened", head)).status_code == 202
        assert held.reached.wait(60), "the worker never reached the check run update"
        pool = children(worker.pid)
        assert pool, "the worker has no pool process"
        os.kill(pool[0], signal.SIGKILL)
        held.release.set()
        run = stack.completed_run(head, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
        log.close()
    assert run["conclusion"] == "failure"
    assert len(stack.fake.calls("POST", r"/check-runs$")) == 1
    shell = [a for a in run["annotations"] if a["path"] == "demo/shell.py"]
    assert [a["start_line"] for a in shell] == [REGRESSION_LINE]
    assert len(stack.fake.reviews) == 1 and len(stack.fake.review_comments) == 1
    assert stack.queue_length() == 0
