"""All cores in the worker: CPU time over wall time of a cold audit run by a real `celery worker`.

Real parts: the receiver (uvicorn), a Celery worker process (prefork, one pool child, as deployed),
Redis, git over smart HTTP and the fake GitHub of the end-to-end tests. The tree is real code nobody
here wrote (installed packages' sources, about 900 Python files); the mirror and the facts cache
start empty, so the audit analyses every file. CPU time is the pool child's, with the processes it
started (the engine's analysis pool) once reaped; wall time runs from the delivery to the completed
check run. Target: CPU/wall >= 1.6 on 2 cores. `--serial` runs the worker as before issue 12 (its
pool child daemonic, so the engine analyses serially), for a comparison on the same machine.
Run: .venv/bin/python bench/webhooks/cores.py [--files 900] [--serial]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.web.server import create_asgi  # noqa: E402
from bench.webhooks.latency import SECRET, bench_github, wait_completed  # noqa: E402
from bench.webhooks.throughput import machine  # noqa: E402
from config.settings import Settings  # noqa: E402
from tests.e2e.fake_github import FakeGitHub, Pull  # noqa: E402
from tests.e2e.payloads import Target, encode, headers, pull_request  # noqa: E402
from tests.e2e.repos import Repo  # noqa: E402
from tests.e2e.services import app_key, clear, session_redis  # noqa: E402
from tests.e2e.test_worker_killed import children  # noqa: E402
from tests.web.serve import serve  # noqa: E402

BENCH_DB = 8
PACKAGES = ("celery", "kombu", "redis", "billiard", "click", "httpx", "httpcore", "starlette", "uvicorn", "anyio",
            "pygments", "jinja2", "yaml", "certifi", "idna", "h11", "sniffio", "vine", "amqp", "markupsafe")


def real_tree(limit: int) -> dict[str, str]:
    """Return up to `limit` Python sources of installed third-party packages as a file map."""
    tree: dict[str, str] = {}
    for name in PACKAGES:
        try:
            package = Path(str(importlib.import_module(name).__file__)).parent
        except ImportError:
            continue
        for path in sorted(package.rglob("*.py")):
            if "__pycache__" not in path.parts and len(tree) < limit:
                tree[f"{name}/{path.relative_to(package)}"] = path.read_text(encoding="utf-8", errors="replace")
    return tree


# Start the worker as `celery worker` does, with the pool children left daemonic (before issue 12).
SERIAL_WORKER = """
import sys
from celery import signals
import workers.celery_app as celery_app
signals.worker_process_init.disconnect(celery_app.allow_children)
celery_app.app.worker_main(sys.argv[1:])
"""


def start_worker(settings: Settings, log: Path, serial: bool) -> subprocess.Popen[bytes]:
    """Start a prefork worker process with one pool child, reading its settings from the environment."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(settings.data_dir),
           "VERITY_WEBHOOK_SECRET": SECRET, "VERITY_APP_ID": settings.app_id,
           "VERITY_PRIVATE_KEY": settings.private_key, "VERITY_REDIS_URL": settings.redis_url,
           "VERITY_GITHUB_API_URL": settings.github_api_url, "VERITY_DATA_DIR": str(settings.data_dir)}
    args = ["worker", "-P", "prefork", "-c", "1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat"]
    command = [sys.executable, "-c", SERIAL_WORKER, *args] if serial else [
        sys.executable, "-m", "celery", "-A", "workers.celery_app", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def cpu_seconds(pid: int) -> float:
    """Return a process's CPU time plus that of its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def prepare(fake: FakeGitHub, repo: Repo, target: Target, files: dict[str, str]) -> str:
    """Commit a PR's base and head and open the PR on the fake GitHub; return the head SHA."""
    base = repo.commit(files, "base")
    repo.publish("main")
    head = repo.commit({"bench_pr.py": '"""A new module."""\n'}, "pr", branch="feature")
    repo.open_pull(target.number, head)
    fake.pulls[(target.full_name, target.number)] = Pull(head, "main", base)
    return head


def deliver(client: httpx.Client, target: Target, head: str) -> None:
    """Deliver a PR's `opened` webhook to the receiver."""
    body = encode(pull_request(target, "opened", head))
    if client.post("/webhook", content=body, headers=headers("pull_request", body, SECRET)).status_code != 202:
        raise SystemExit("delivery refused")


def published_phases(log: Path, head: str, timeout: float = 10.0) -> dict[str, float]:
    """Return the seconds the worker's job spent per phase, from its "audit published" log line.

    The line is written just after the check run completes: wait for it a little.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if "audit published" in line and f"sha={head[:12]}" in line:
                pairs = (field.split("=", 1) for field in line.split() if field.partition("=")[0].endswith("_s"))
                return {key: float(value) for key, value in pairs}
        time.sleep(0.1)
    return {}


def main() -> None:
    """Warm the worker on a tiny repository, then time a cold audit of a big one and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=900)
    parser.add_argument("--serial", action="store_true", help="pool children daemonic, as before issue 12")
    args = parser.parse_args()
    key = app_key()
    tree = real_tree(args.files)
    with session_redis() as server, tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        with bench_github(key, server.url(BENCH_DB), tmp) as (fake, git, settings):
            worker = start_worker(settings, tmp / "worker.log", args.serial)
            try:
                with serve(create_asgi(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
                    small = Target(1, 4300, "bench/small", git.url("bench/small"))
                    warm = prepare(fake, Repo(tmp / "served", tmp / "work", small.full_name), small,
                                   {"small/a.py": "x = 1\n"})
                    deliver(client, small, warm)
                    wait_completed(fake, warm)
                    [child] = children(worker.pid)
                    big = Target(1, 4301, "bench/big", git.url("bench/big"))
                    repo = Repo(tmp / "served", tmp / "work", big.full_name)
                    head = prepare(fake, repo, big, tree)  # the bench's own git work, before the clock starts
                    before_cpu, started = cpu_seconds(child), time.monotonic()
                    deliver(client, big, head)
                    run = wait_completed(fake, head, timeout=600)
                    wall, cpu = time.monotonic() - started, cpu_seconds(child) - before_cpu
                    phases = published_phases(tmp / "worker.log", head)
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(60)
                clear(settings.redis_url)
    print(json.dumps({
        "machine": machine(),
        "files": len(tree),
        "worker": "serial (pool child daemonic)" if args.serial else "pool child may fork",
        "conclusion": run["conclusion"],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_over_wall": round(cpu / wall, 2),
        "target": 1.6,
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "worker_phases_s": phases,
    }, indent=2))


if __name__ == "__main__":
    main()
