"""Requests per second and latency of the badge and trend page routes, driven by wrk on loopback.

A repository with a full history (1,000 commits) is recorded with the workers' own store code, then
wrk asks for its badge, its trend page and the badge of a repository never audited (the 404).
Run: .venv/bin/python bench/webhooks/pages.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.store.keys import HISTORY_LIMIT  # noqa: E402
from bench.webhooks.throughput import BENCH_DB, ensure_wrk, machine, start_receiver  # noqa: E402
from tests.e2e.services import clear, free_port, session_redis  # noqa: E402
from tests.web.trend_data import seed  # noqa: E402

PATHS = {"badge": "/badge/octo/demo.svg", "trend page": "/repos/octo/demo", "unknown (404)": "/badge/octo/none.svg"}
LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, url: str, seconds: int, connections: int) -> dict[str, float]:
    """Run wrk against one URL and return requests per second and the p50 and p99 latencies."""
    out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url], capture_output=True,
                         text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    figures = {"requests_per_second": rate}
    for pct, value, unit in LATENCY.findall(out):
        figures[f"p{pct}_ms"] = round(float(value) * UNIT_MS[unit], 2)
    return figures


def main() -> None:
    """Record a history, serve it, and print each route's figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    wrk = ensure_wrk()
    with session_redis() as server:
        url = server.url(BENCH_DB)
        clear(url)
        seed(redis.Redis.from_url(url), 99, "octo/demo", HISTORY_LIMIT)
        port = free_port()
        receiver = start_receiver(url, port)
        try:
            results = {name: run_wrk(wrk, f"http://127.0.0.1:{port}{path}", args.seconds, args.connections)
                       for name, path in PATHS.items()}
        finally:
            receiver.terminate()
            receiver.wait(10)
            clear(url)
    print(json.dumps({"machine": machine(), "commits": HISTORY_LIMIT, "connections": args.connections,
                      "seconds": args.seconds, "routes": results}, indent=2))


if __name__ == "__main__":
    main()
