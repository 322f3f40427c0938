"""Deliveries per second and p99 latency of one receiver process, driven by wrk on loopback.

Real signed pull_request payloads from @octokit/webhooks-examples, a unique delivery id per request,
16 connections. Afterwards every accepted delivery must map to exactly one queued job.
Run: .venv/bin/python bench/webhooks/throughput.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import redis

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.github.job import QUEUE  # noqa: E402
from app.web.signature import sign  # noqa: E402
from tests.e2e.payloads import Target, encode, pull_request  # noqa: E402
from tests.e2e.services import RedisProcess, answers, clear, free_port, session_redis  # noqa: E402

SECRET = "bench-secret"  # noqa: S105 - a benchmark-only webhook secret
BENCH_DB = 11
VARIANTS = 8


def ensure_wrk() -> str:
    """Return the wrk binary, installing Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update", "-q"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is required (apt-get install wrk)")
    return found


def write_bodies(folder: Path) -> int:
    """Write signed real payloads for wrk to send; return their average size."""
    sizes = []
    for i in range(1, VARIANTS + 1):
        target = Target(installation_id=100 + i, repo_id=2000 + i, full_name=f"bench/repo{i}",
                        clone_url=f"https://github.com/bench/repo{i}.git", number=i)
        action = "opened" if i % 2 else "synchronize"
        body = encode(pull_request(target, action, f"{i:040x}"))
        (folder / f"body-{i}.json").write_bytes(body)
        (folder / f"body-{i}.sig").write_text(sign(SECRET.encode(), body) + "\n")
        sizes.append(len(body))
    return sum(sizes) // len(sizes)


def niced(cmd: list[str], nice: int) -> list[str]:
    """Prefix a command with `nice -n N` (negative: ahead of other work on a shared machine)."""
    return ["nice", "-n", str(nice), *cmd] if nice else cmd


def start_receiver(redis_url: str, port: int, nice: int = 0) -> subprocess.Popen[bytes]:
    """Start one receiver process (`verity serve`'s function) and wait until it answers."""
    env = {**os.environ, "VERITY_WEBHOOK_SECRET": SECRET, "VERITY_APP_ID": "1", "VERITY_PRIVATE_KEY": "unused",
           "VERITY_REDIS_URL": redis_url}
    code = f"from app.web.server import run; run('127.0.0.1', {port})"
    proc = subprocess.Popen(niced([sys.executable, "-c", code], nice), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the receiver did not start")


def run_wrk(wrk: str, url: str, folder: Path, seconds: int, connections: int, threads: int,
            nice: int = 0) -> dict[str, Any]:
    """Run wrk and return the summary its Lua script prints."""
    script = Path(__file__).with_name("deliveries.lua")
    out = subprocess.run(
        niced([wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script),
         url + "/webhook", "--", str(folder), str(VARIANTS)], nice),
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    return dict(json.loads(line.removeprefix("WRK_JSON ")))


def accepted_by_receiver(url: str) -> int:
    """Return how many deliveries the receiver answered 202, from its own metrics."""
    total = 0.0
    for line in httpx.get(url + "/metrics", timeout=5).text.splitlines():
        if line.startswith("verity_webhook_deliveries_total{") and 'outcome="202"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def queued_deliveries(client: redis.Redis) -> list[str]:
    """Return the delivery id of every queued job."""
    ids = []
    for raw in client.lrange(QUEUE, 0, -1):
        message = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids.append(kwargs["delivery_id"])
    return ids


def machine() -> dict[str, Any]:
    """Describe the machine the figures come from."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kb / 1024 / 1024, 1)}


@contextmanager
def bench_redis(nice: int) -> Iterator[RedisProcess]:
    """Yield the shared Redis, or with a nice level a private one started at that level."""
    if not nice:
        with session_redis() as server:
            yield server
        return
    server = RedisProcess(free_port())
    binary = shutil.which("redis-server") or "redis-server"
    server.proc = subprocess.Popen(
        ["nice", "-n", str(nice), binary, "--port", str(server.port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not answers(server.url(0)):
        if time.monotonic() > deadline:
            raise SystemExit("private redis-server did not start")
        time.sleep(0.05)
    try:
        yield server
    finally:
        server.stop()


def main() -> None:
    """Run the benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--nice", type=int, default=0,
                        help="run Redis, the receiver and wrk at this nice level (e.g. -10 on a shared machine)")
    args = parser.parse_args()
    wrk = ensure_wrk()
    with bench_redis(args.nice) as server, tempfile.TemporaryDirectory() as tmp:
        redis_url = server.url(BENCH_DB)
        client = redis.Redis.from_url(redis_url)
        folder = Path(tmp)
        size = write_bodies(folder)
        port = free_port()
        receiver = start_receiver(redis_url, port, args.nice)
        try:
            run_wrk(wrk, f"http://127.0.0.1:{port}", folder, 2, args.connections, args.threads, args.nice)  # warm-up
            url = f"http://127.0.0.1:{port}"
            clear(redis_url)
            accepted_before = accepted_by_receiver(url)
            cpu_before = cpu_seconds(receiver.pid)
            result = run_wrk(wrk, url, folder, args.seconds, args.connections, args.threads, args.nice)
            cpu_used = cpu_seconds(receiver.pid) - cpu_before
            accepted = accepted_by_receiver(url) - accepted_before
        finally:
            receiver.terminate()
            receiver.wait(10)
        ids = queued_deliveries(client)
        clear(redis_url)
    figures = {
        "machine": machine(),
        "payload_bytes": size,
        "connections": args.connections,
        "wrk_threads": args.threads,
        "nice": args.nice,
        "seconds": args.seconds,
        "deliveries_per_second": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "p50_ms": result["p50_us"] / 1000,
        "p90_ms": result["p90_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "receiver_cpu_ms_per_delivery": round(cpu_used * 1000 / max(result["requests"], 1), 3),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "statuses": result["statuses"],
        "socket_errors": result["errors"],
        "accepted_seen_by_wrk": int(result["statuses"].get("202", 0)),
        "accepted": accepted,
        "queued_jobs": len(ids),
        "distinct_queued_deliveries": len(set(ids)),
        "one_job_per_accepted_delivery": accepted == len(ids) == len(set(ids)),
    }
    print(json.dumps(figures, indent=2))
    if not figures["one_job_per_accepted_delivery"]:
        raise SystemExit("accepted deliveries and queued jobs differ")


if __name__ == "__main__":
    main()
