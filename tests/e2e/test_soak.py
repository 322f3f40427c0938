"""Soak: 24 PRs through the real receiver, `celery worker` processes and an append-only Redis, while it
SIGKILLs a worker mid-audit, restarts Redis mid-audit and SIGTERMs a worker mid-audit.

Every PR's head ends with exactly one completed check run with the right conclusion, no check run is
left open and no review comment is posted twice. Deliveries refused with 503 while Redis is down are
redelivered with the same delivery id, as GitHub's redelivery does, and then accepted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from app.store.keys import LEASE_HOLDERS, LEASE_JOBS
from app.web.server import create_asgi
from config.settings import Settings
from tests.e2e import payloads
from tests.e2e.conftest import AppKey, make_settings
from tests.e2e.fake_github import FakeGitHub, FakeServer, Hold, Pull
from tests.e2e.git_server import GitServer
from tests.e2e.repos import Repo
from tests.e2e.scenarios import BASE, REGRESSION, REGRESSION_LINE
from tests.e2e.services import RedisProcess, free_port
from tests.e2e.test_worker_killed import ROOT, children
from tests.web.serve import serve

PULLS = 24
BATCH = 8
SETTLE_SECONDS = 120  # every PR settled within two minutes of the last fault
SOFT_SHUTDOWN = "2"
CLEAN = {"README.md": BASE["README.md"] + "\nMore words.\n"}


@dataclass
class Pr:
    """One pull request of the soak: its target, head, and the conclusion its audit must reach."""

    target: payloads.Target
    head: str
    expected: str


@dataclass
class Soak:
    """The running system: Redis, receiver, worker processes and the fakes."""

    settings: Settings
    fake: FakeGitHub
    redis_server: RedisProcess
    client: httpx.Client
    logs: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    refused: int = 0

    def env(self) -> dict[str, str]:
        """Return the environment of a `celery worker` process."""
        s = self.settings
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(s.data_dir),
                "VERITY_WEBHOOK_SECRET": s.webhook_secret, "VERITY_APP_ID": s.app_id,
                "VERITY_PRIVATE_KEY": s.private_key, "VERITY_REDIS_URL": s.redis_url,
                "VERITY_GITHUB_API_URL": s.github_api_url, "VERITY_DATA_DIR": str(s.data_dir),
                "VERITY_SOFT_SHUTDOWN_SECONDS": SOFT_SHUTDOWN}

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start one more worker process, as a deployment adds a replica."""
        number = len(self.workers) + 1
        log = (self.logs / f"worker{number}.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-P", "prefork", "-c", "1",
             "-n", f"soak{number}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        self.workers.append(worker)
        return worker

    def deliver(self, pr: Pr, delivery_id: str) -> int:
        """POST a pull_request `opened` delivery; return the status."""
        body = payloads.encode(payloads.pull_request(pr.target, "opened", pr.head))
        hdrs = payloads.headers("pull_request", body, self.settings.webhook_secret, delivery_id)
        return self.client.post("/webhook", content=body, headers=hdrs).status_code

    def deliver_until_accepted(self, pr: Pr, timeout: float = 60.0) -> None:
        """Deliver, and redeliver with the same delivery id while refused with 503 (as GitHub's redelivery)."""
        delivery_id = f"soak-{pr.target.repo_id}"
        deadline = time.monotonic() + timeout
        while (status := self.deliver(pr, delivery_id)) == 503:
            self.refused += 1
            assert time.monotonic() < deadline, "Redis never came back for the receiver"
            time.sleep(0.3)
        assert status == 202, status

    def worker_running(self, pr: Pr, timeout: float = 60.0) -> subprocess.Popen[bytes]:
        """Return the worker process whose pool child holds the lease of a PR's job."""
        client = redis.Redis.from_url(self.settings.redis_url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for task_id, raw in client.hgetall(LEASE_JOBS).items():
                if json.loads(raw)["kwargs"].get("repo_id") != pr.target.repo_id:
                    continue
                holder = (client.hget(LEASE_HOLDERS, task_id) or b"").decode()
                pid = int(holder.split(":")[1]) if holder.count(":") == 2 else -1
                for worker in self.workers:
                    if worker.poll() is None and pid in children(worker.pid):
                        return worker
            time.sleep(0.1)
        raise AssertionError(f"no worker holds the job of {pr.target.full_name}")

    def wait_held(self, held: Hold, what: str) -> None:
        """Wait until an audit reaches the held request."""
        assert held.reached.wait(60), f"no audit reached the held request ({what})"

    def stop_all(self) -> None:
        """Stop every worker we started."""
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)


def make_pulls(fake: FakeGitHub, git_server: GitServer, served_root: Path, work: Path) -> list[Pr]:
    """Create one repository per PR, half with a security regression, half with a clean change."""
    pulls = []
    for n in range(PULLS):
        full_name = f"octo-soak/repo{n}"
        repo = Repo(served_root, work, full_name)
        base = repo.commit({**BASE, "NAME": full_name}, "base")  # its own SHAs
        repo.publish("main")
        failing = n % 2 == 0
        head = repo.commit(REGRESSION if failing else CLEAN, "pr", branch="feature")
        target = payloads.Target(installation_id=77, repo_id=5000 + n, full_name=full_name,
                                 clone_url=git_server.url(full_name))
        repo.open_pull(target.number, head)
        fake.pulls[(full_name, target.number)] = Pull(head, "main", base)
        fake.diff_lines[(full_name, target.number)] = repo.added_lines(base, head)
        pulls.append(Pr(target, head, "failure" if failing else "success"))
    return pulls


def hold_start(fake: FakeGitHub, pr: Pr, drop: bool = True) -> Hold:
    """Stall the PR's first check run update (its start) until released, then drop it.

    A worker killed while its request is stalled here never had that request reach GitHub; without
    the drop, the fake would apply the dead worker's `in_progress` after the job's copy completed.
    """
    return fake.hold("PATCH", rf"/repos/{pr.target.full_name}/check-runs/\d+$", drop=drop)


@pytest.fixture
def soak(fake_server: FakeServer, key: AppKey, tmp_path: Path) -> Iterator[Soak]:
    redis_server = RedisProcess(free_port(), data_dir=tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    redis_server.start()
    fake_server.fake.reset()
    settings = make_settings(redis_server.url(0), key, fake_server.url, tmp_path / "data")
    with ExitStack() as stack:
        url = stack.enter_context(serve(create_asgi(settings)))
        client = stack.enter_context(httpx.Client(base_url=url, timeout=10))
        running = Soak(settings, fake_server.fake, redis_server, client, tmp_path)
        stack.callback(redis_server.stop)
        stack.callback(running.stop_all)
        yield running


def runs_of(fake: FakeGitHub, pr: Pr) -> list[dict[str, Any]]:
    """Return the check runs on a PR's head in its repository (identical commits share a SHA elsewhere)."""
    return [r for r in fake.runs_for(pr.head) if r["repo"] == pr.target.full_name]


def settled(fake: FakeGitHub, pulls: list[Pr]) -> bool:
    """Return whether every PR's head has its one completed check run, and no run is open."""
    with fake.lock:
        runs = list(fake.check_runs.values())
    done = all(r["status"] == "completed" for r in runs)
    return done and all(len(runs_of(fake, pr)) == 1 for pr in pulls)


def test_no_job_is_lost_or_done_twice_when_workers_and_redis_die(soak: Soak, fake_server: FakeServer,
                                                                 git_server: GitServer, served_root: Path,
                                                                 tmp_path: Path) -> None:
    fake = fake_server.fake
    pulls = make_pulls(fake, git_server, served_root, tmp_path / "work")
    first, second, third = pulls[:BATCH], pulls[BATCH:2 * BATCH], pulls[2 * BATCH:]
    soak.start_worker()
    soak.start_worker()

    # 1. A worker SIGKILLed mid-audit (the OOM killer, a lost node): its whole process group dies.
    held = hold_start(fake, first[0])
    for pr in first:
        soak.deliver_until_accepted(pr)
    soak.wait_held(held, "kill")
    victim = soak.worker_running(first[0])
    for pid in [*children(victim.pid), victim.pid]:
        os.kill(pid, signal.SIGKILL)
    victim.wait(10)
    held.release.set()
    soak.start_worker()  # the replacement replica

    # 2. Redis restarted mid-audit; deliveries meanwhile are refused, then redelivered.
    held = hold_start(fake, second[0], drop=False)  # this audit lives on and meets the restarted Redis
    for pr in second[:4]:
        soak.deliver_until_accepted(pr)
    soak.wait_held(held, "redis restart")
    soak.redis_server.stop()
    for pr in second[4:]:
        assert soak.deliver(pr, f"soak-{pr.target.repo_id}") == 503
    soak.redis_server.start()
    held.release.set()
    for pr in second[4:]:
        soak.deliver_until_accepted(pr)

    # 3. A worker stopped for a deploy (SIGTERM) mid-audit, and a replacement started.
    held = hold_start(fake, third[0])
    for pr in third:
        soak.deliver_until_accepted(pr)
    soak.wait_held(held, "stop")
    stopped = soak.worker_running(third[0])
    stopped.send_signal(signal.SIGTERM)
    soak.start_worker()
    stopped.wait(30)  # soft shutdown, then cold: the running job's message goes back to the queue
    held.release.set()
    last_fault = time.monotonic()

    deadline = last_fault + SETTLE_SECONDS
    while not settled(fake, pulls) and time.monotonic() < deadline:
        time.sleep(0.5)
    open_runs = [(r["repo"], r["status"]) for r in fake.check_runs.values() if r["status"] != "completed"]
    assert open_runs == [], f"check runs left open: {open_runs}"
    doubled = {pr.target.full_name: [(r["id"], r["history"]) for r in runs_of(fake, pr)]
               for pr in pulls if len(runs_of(fake, pr)) != 1}
    assert doubled == {}, f"heads without exactly one check run: {doubled}"
    for pr in pulls:
        [run] = runs_of(fake, pr)
        assert run["conclusion"] == pr.expected, (pr.target.full_name, run["output"].get("title"))
        comments = [(c["path"], c["line"]) for c in fake.review_comments if c.get("repo") == pr.target.full_name]
        reviews = [r for r in fake.reviews if r["repo"] == pr.target.full_name]
        if pr.expected == "failure":
            assert comments == [("demo/shell.py", REGRESSION_LINE)], (pr.target.full_name, comments)
            assert len(reviews) == 1
        else:
            assert comments == [] and reviews == []
    assert len(fake.check_runs) == PULLS
    assert fake.errors == [], "requests broke GitHub's REST description"
