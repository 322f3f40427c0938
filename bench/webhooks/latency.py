"""End-to-end latency: webhook delivery to completed check run, for a 20-file PR on a warm mirror.

Also the delivery to the first check run request about the head (target: p95 at most 1 s): the
check run is created `queued` when the job is taken, before any fetch.

Real parts: the receiver (uvicorn), a Celery worker process, Redis, git over smart HTTP, and the fake
GitHub of the end-to-end tests. The base tree is real code nobody here wrote (the installed `kombu`
package's sources); each round pushes a new head that edits 20 of its files.
Run: .venv/bin/python bench/webhooks/latency.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import kombu  # noqa: E402

from app.web.server import create_asgi  # noqa: E402
from bench.webhooks.throughput import machine  # noqa: E402
from config.settings import Settings  # noqa: E402
from tests.e2e.fake_github import FakeGitHub, FakeServer, Pull  # noqa: E402
from tests.e2e.git_server import GitServer  # noqa: E402
from tests.e2e.payloads import Target, encode, headers, pull_request  # noqa: E402
from tests.e2e.repos import Repo  # noqa: E402
from tests.e2e.services import AppKey, app_key, clear, session_redis  # noqa: E402
from tests.web.serve import serve  # noqa: E402

SECRET = "bench-secret"  # noqa: S105 - a benchmark-only webhook secret
BENCH_DB = 9
CHANGED = 20


def real_tree() -> dict[str, str]:
    """Return the sources of an installed third-party package as a file map."""
    package = Path(kombu.__file__).parent
    return {f"kombu/{p.relative_to(package)}": p.read_text(encoding="utf-8")
            for p in sorted(package.rglob("*.py")) if "__pycache__" not in p.parts}


def edit(tree: dict[str, str], paths: list[str], round_no: int) -> dict[str, str]:
    """Return the 20 files of one round's head: each gains a small function."""
    extra = f'\n\ndef _bench_round_{round_no}(value: int) -> int:\n    """Return the value plus {round_no}."""\n'
    extra += f"    return value + {round_no}\n"
    return {p: tree[p] + extra for p in paths}


@contextmanager
def bench_github(key: AppKey, redis_url: str, work: Path) -> Iterator[tuple[FakeGitHub, GitServer, Settings]]:
    """Serve the fake GitHub and git over HTTP, and yield them with the settings a bench's App runs on."""
    fake = FakeGitHub("4242", key.public_pem)
    with FakeServer(fake) as api, GitServer(work / "served", lambda t: t in fake.tokens) as git:
        settings = Settings(webhook_secret=SECRET, app_id="4242", private_key=key.private_pem,
                            redis_url=redis_url, github_api_url=api.url, data_dir=work / "data")
        clear(redis_url)
        yield fake, git, settings


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """Start a Celery worker process reading its settings from the environment."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(settings.data_dir),
           "VERITY_WEBHOOK_SECRET": SECRET, "VERITY_APP_ID": settings.app_id,
           "VERITY_PRIVATE_KEY": settings.private_key, "VERITY_REDIS_URL": settings.redis_url,
           "VERITY_GITHUB_API_URL": settings.github_api_url, "VERITY_DATA_DIR": str(settings.data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-P", "solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )


def wait_completed(fake: FakeGitHub, head: str, timeout: float = 120.0) -> dict[str, Any]:
    """Wait for the check run on a head SHA to complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [r for r in fake.runs_for(head) if r["status"] == "completed"]
        if done:
            return done[0]
        time.sleep(0.01)
    raise SystemExit(f"no completed check run on {head[:8]} after {timeout} s")


def first_check_request(fake: FakeGitHub, head: str, since: float) -> float:
    """Return when the first check run request about a head reached the fake GitHub (monotonic)."""
    with fake.lock:
        found = [r.at for r in fake.requests if r.at >= since and "/check-runs" in r.path
                 and (head in r.path or (isinstance(r.body, dict) and r.body.get("head_sha") == head))]
    if not found:
        raise SystemExit(f"no check run request about {head[:8]}")
    return min(found)


def one_round(client: httpx.Client, fake: FakeGitHub, repo: Repo, target: Target, files: dict[str, str],
              base: str, round_no: int) -> tuple[float, float]:
    """Push one head, deliver its webhook; return the seconds until its first check run request and completion."""
    head = repo.commit(files, f"round {round_no}", branch="feature")
    repo.open_pull(target.number, head)
    fake.pulls[(target.full_name, target.number)] = Pull(head, "main", base)
    body = encode(pull_request(target, "synchronize", head))
    started = time.monotonic()
    response = client.post("/webhook", content=body, headers=headers("pull_request", body, SECRET))
    if response.status_code != 202:
        raise SystemExit(f"delivery answered {response.status_code}")
    wait_completed(fake, head)
    done = time.monotonic()
    return done - started, first_check_request(fake, head, started) - started


def main() -> None:
    """Run the rounds and print the latency figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    key = app_key()
    tree = real_tree()
    paths = [p for p in tree if p.count("/") >= 1][:CHANGED]
    with session_redis() as server, tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        with bench_github(key, server.url(BENCH_DB), tmp) as (fake, git, settings):
            repo = Repo(tmp / "served", tmp / "work", "bench/kombu")
            target = Target(installation_id=1, repo_id=4242, full_name="bench/kombu", clone_url=git.url("bench/kombu"))
            base = repo.commit(tree, "base")
            repo.publish("main")
            worker = start_worker(settings, tmp / "worker.log")
            try:
                with serve(create_asgi(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
                    cold, cold_first = one_round(client, fake, repo, target, edit(tree, paths, 0), base, 0)
                    rounds = [one_round(client, fake, repo, target, edit(tree, paths, n), base, n)
                              for n in range(1, args.rounds + 1)]
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
                clear(settings.redis_url)
                shutil.rmtree(tmp / "data", ignore_errors=True)
    times = sorted(total for total, _ in rounds)
    firsts = sorted([cold_first, *(first for _, first in rounds)])
    figures = {
        "machine": machine(),
        "base_files": len(tree),
        "changed_files": CHANGED,
        "rounds": len(times),
        "cold_first_round_s": round(cold, 3),
        "p50_s": round(statistics.median(times), 3),
        "p95_s": round(times[max(0, round(0.95 * len(times)) - 1)], 3),
        "max_s": round(times[-1], 3),
        "first_check_request_p50_s": round(statistics.median(firsts), 3),
        "first_check_request_p95_s": round(firsts[max(0, round(0.95 * len(firsts)) - 1)], 3),
        "first_check_request_cold_s": round(cold_first, 3),
        "first_check_request_target_s": 1.0,
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
