"""A burst of pull_request deliveries over many small repositories, into 1, 2 and 4 worker processes.

Real parts: the receiver (uvicorn), Celery worker processes (`-P solo`, one process each), Redis,
git over smart HTTP and the fake GitHub of the end-to-end tests. Each small repository is a slice of
real code nobody here wrote (the installed `kombu` package's sources); each delivery is a different
PR whose head edits two files, so every delivery is one full audit. For every worker count it
reports throughput, the queue wait (delivery accepted to the job's first check-run request) and
checks that every delivery ended in exactly one completed check run.
Run: .venv/bin/python bench/burst.py [--deliveries 500] [--repos 50] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.web.server import create_asgi  # noqa: E402
from bench.webhooks.latency import SECRET, bench_github, real_tree, start_worker  # noqa: E402
from bench.webhooks.throughput import machine  # noqa: E402
from tests.e2e.fake_github import FakeGitHub, Pull  # noqa: E402
from tests.e2e.git_server import GitServer  # noqa: E402
from tests.e2e.payloads import Target, encode, headers, pull_request  # noqa: E402
from tests.e2e.repos import Repo  # noqa: E402
from tests.e2e.services import app_key, clear, session_redis  # noqa: E402
from tests.web.serve import serve  # noqa: E402

BENCH_DB = 10
FILES_PER_REPO = 12
DRAIN_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Delivery:
    """One PR event of the burst: its target (repository and PR number) and head."""

    target: Target
    head: str


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of a list of values."""
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def build_repos(tmp: Path, git: GitServer, fake: FakeGitHub, repos: int, deliveries: int) -> list[Delivery]:
    """Build the small repositories and one PR head per delivery, registered in the fake API."""
    tree = real_tree()
    paths = sorted(tree)
    per_repo = max(1, deliveries // repos)
    burst: list[Delivery] = []
    for index in range(repos):
        chosen = [paths[(index * FILES_PER_REPO + k) % len(paths)] for k in range(FILES_PER_REPO)]
        full_name = f"burst/repo{index}"
        repo = Repo(tmp / "served", tmp / "work", full_name)
        base = repo.commit({p: tree[p] for p in chosen}, "base")
        repo.publish("main")
        for number in range(1, per_repo + 1):
            edited = {p: tree[p] + f"\n\ndef _burst_{number}(value: int) -> int:\n"
                      f'    """Return the value plus {number}."""\n    return value + {number}\n'
                      for p in chosen[number % FILES_PER_REPO:][:2]}
            head = repo.commit(edited, f"pr {number}", parent=base, branch=f"pr{number}")
            repo.open_pull(number, head)
            target = Target(installation_id=1, repo_id=10_000 + index, full_name=full_name,
                            clone_url=git.url(full_name), number=number)
            fake.pulls[(full_name, number)] = Pull(head, "main", base)
            burst.append(Delivery(target, head))
    # Interleave repositories, as a busy organisation's deliveries arrive.
    return sorted(burst, key=lambda d: (d.target.number, d.target.repo_id))[:deliveries]


def deliver_all(client: httpx.Client, burst: list[Delivery]) -> dict[str, float]:
    """POST every delivery as fast as the receiver takes them; return when each was accepted."""
    accepted: dict[str, float] = {}
    for delivery in burst:
        body = encode(pull_request(delivery.target, "synchronize", delivery.head))
        response = client.post("/webhook", content=body, headers=headers("pull_request", body, SECRET))
        if response.status_code != 202:
            raise SystemExit(f"delivery answered {response.status_code}: {response.text}")
        accepted[delivery.head] = time.monotonic()
    return accepted


def wait_drained(fake: FakeGitHub, burst: list[Delivery]) -> float:
    """Wait until every head has a completed check run; return the monotonic time of the last."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        with fake.lock:
            done = sum(1 for r in fake.check_runs.values() if r["status"] == "completed")
        if done >= len(burst):
            break
        time.sleep(0.2)
    else:
        raise SystemExit(f"the burst did not drain within {DRAIN_TIMEOUT} s")
    time.sleep(1.0)  # let any duplicate show itself before counting
    with fake.lock:
        return max(r.at for r in fake.requests if r.method == "PATCH" and "/check-runs/" in r.path)


def first_check_request(fake: FakeGitHub) -> dict[str, float]:
    """Return, per head SHA, when its first check-run request reached GitHub."""
    first: dict[str, float] = {}
    with fake.lock:
        runs = {str(run_id): run["head_sha"] for run_id, run in fake.check_runs.items()}
        for record in fake.requests:
            head = _head_of(record, runs)
            if head and head not in first:
                first[head] = record.at
    return first


def _head_of(record: Any, runs: dict[str, str]) -> str:
    """Return the head SHA a check-run request is about, or an empty string."""
    if record.method == "POST" and record.path.endswith("/check-runs") and isinstance(record.body, dict):
        return str(record.body.get("head_sha", ""))
    if record.method == "PATCH" and "/check-runs/" in record.path:
        return runs.get(record.path.rsplit("/", 1)[-1], "")
    return ""


def exactly_once(fake: FakeGitHub, burst: list[Delivery]) -> list[str]:
    """Return the heads that did not end in exactly one completed check run."""
    problems = []
    for delivery in burst:
        runs = fake.runs_for(delivery.head)
        completed = [r for r in runs if r["status"] == "completed"]
        if len(runs) != 1 or len(completed) != 1:
            problems.append(f"{delivery.head[:8]}: {len(runs)} runs, {len(completed)} completed")
    return problems


def run_round(workers: int, args: argparse.Namespace, key: Any, redis_url: str, tmp: Path) -> dict[str, Any]:
    """Replay the burst into a number of worker processes and return its figures."""
    round_dir = tmp / f"w{workers}"
    with bench_github(key, redis_url, round_dir) as (fake, git, settings):
        burst = build_repos(round_dir, git, fake, args.repos, args.deliveries)
        procs = [start_worker(settings, round_dir / f"worker{n}.log") for n in range(workers)]
        try:
            time.sleep(2.0)  # workers connect before the burst, as in a running deployment
            with serve(create_asgi(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
                started = time.monotonic()
                accepted = deliver_all(client, burst)
                last = wait_drained(fake, burst)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(60)
            clear(redis_url)
        first = first_check_request(fake)
        waits = [first[d.head] - accepted[d.head] for d in burst if d.head in first]
        problems = exactly_once(fake, burst)
        shutil.rmtree(round_dir, ignore_errors=True)
    elapsed = last - started
    return {
        "workers": workers,
        "deliveries": len(burst),
        "seconds": round(elapsed, 2),
        "audits_per_second": round(len(burst) / elapsed, 2),
        "queue_wait_p50_s": round(statistics.median(waits), 2),
        "queue_wait_p95_s": round(percentile(waits, 0.95), 2),
        "exactly_one_completed_check_run": not problems,
        "problems": problems[:10],
    }


def main() -> None:
    """Run the burst for each worker count and print the figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    key = app_key()
    rounds = []
    with session_redis() as server, tempfile.TemporaryDirectory() as tmp_dir:
        for workers in (int(n) for n in args.workers.split(",")):
            rounds.append(run_round(workers, args, key, server.url(BENCH_DB), Path(tmp_dir)))
            print(json.dumps(rounds[-1]), file=sys.stderr)
    for before, after in itertools.pairwise(rounds):
        after["speedup_vs_previous"] = round(after["audits_per_second"] / before["audits_per_second"], 2)
    print(json.dumps({"machine": machine(), "load_average_1min_after": round(os.getloadavg()[0], 2),
                      "rounds": rounds}, indent=2))
    if any(not r["exactly_one_completed_check_run"] for r in rounds):
        raise SystemExit("some deliveries did not end in exactly one completed check run")


if __name__ == "__main__":
    main()
