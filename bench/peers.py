"""A cold full audit against the peer stack, on a real repository snapshot, in one interleaved run.

The snapshot (a commit of a local clone or bare mirror, e.g. healthchecks) is exported with
`git archive` into a fresh git repository (`empty` then `base`), never imported or run. Each round
times, one after the other: Verity's cold audit of `empty..base` on an empty facts cache, then the
peer tools on the same tree (`ruff check --select ALL`, `bandit -r`, `radon cc`, `interrogate`) and
ruff alone with Verity's own rule set. It prints the medians and the ratios as JSON.
Run: .venv/bin/python bench/peers.py --repo /path/to/mirror [--at REF] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

from app.engine.ruff import ruff_command  # noqa: E402
from bench.webhooks.throughput import machine  # noqa: E402

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid", "GIT_CONFIG_NOSYSTEM": "1"}
PEERS = ("ruff --select ALL", "bandit -r", "radon cc", "interrogate")


def git(cwd: Path, *args: str) -> str:
    """Run git with hooks off and return its output."""
    out = subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", *args], cwd=cwd,
                         capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV})
    return out.stdout.strip()


def snapshot(source: Path, ref: str, work: Path) -> tuple[Path, str]:
    """Export a commit's tree into a new repository with an empty root commit; return it and the commit."""
    tree = work / "tree"
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(source), "archive", "--format=tar", ref], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    git(tree, "init", "-q", "-b", "main")
    git(tree, "commit", "-q", "--allow-empty", "-m", "empty")
    git(tree, "tag", "empty")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "base")
    return tree, git(source, "rev-parse", ref)


def timed(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command to completion; return its wall and its CPU seconds (children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def commands(tree: Path) -> dict[str, list[str]]:
    """Return every measured command, peers and ruff with Verity's rules included."""
    verity_ruff = ruff_command(".")
    return {
        "verity cold": [str(BIN / "verity"), "audit", "--repo", str(tree), "--base", "empty", "--head", "main",
                        "--format", "json"],
        "ruff --select ALL": [str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero", "--select",
                              "ALL", "--output-format", "json", "."],
        "bandit -r": [str(BIN / "bandit"), "-r", "-q", "."],
        "radon cc": [str(BIN / "radon"), "cc", "-s", "-a", "."],
        "interrogate": [str(BIN / "interrogate"), "-v", "--fail-under", "0", "."],
        "ruff (Verity's rules)": [str(BIN / "ruff"), *verity_ruff[1:]],
    }


def one_round(tree: Path, cmds: dict[str, list[str]], cache_root: Path, n: int) -> dict[str, tuple[float, float]]:
    """Time every command once; Verity's audit on a fresh, empty facts cache."""
    data = cache_root / f"round{n}"
    env = {**os.environ, "VERITY_DATA_DIR": str(data), "PYTHONDONTWRITEBYTECODE": ""}
    out = {"verity cold": timed(cmds["verity cold"], tree, env)}
    shutil.rmtree(data, ignore_errors=True)
    for name, cmd in cmds.items():
        if name != "verity cold":
            out[name] = timed(cmd, tree)
    return out


def main() -> None:
    """Measure and print the figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", type=Path, required=True, help="a local clone or bare mirror")
    parser.add_argument("--at", default="HEAD")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tree, sha = snapshot(args.repo, args.at, work)
        files = git(tree, "ls-files").splitlines()
        cmds = commands(tree)
        rounds = [one_round(tree, cmds, work / "data", n) for n in range(args.rounds)]
    wall = {name: statistics.median(r[name][0] for r in rounds) for name in cmds}
    cpu = {name: statistics.median(r[name][1] for r in rounds) for name in cmds}
    stack = sum(wall[p] for p in PEERS)
    result: dict[str, Any] = {
        "machine": machine(), "repo": str(args.repo), "commit": sha, "files": len(files),
        "python_files": sum(1 for f in files if f.endswith(".py")), "rounds": args.rounds,
        "median_wall_s": {k: round(v, 2) for k, v in wall.items()},
        "median_cpu_s": {k: round(v, 2) for k, v in cpu.items()},
        "peer_stack_wall_s": round(stack, 2),
        "cold_over_peer_stack": round(wall["verity cold"] / stack, 3),
        "cold_over_peer_stack_cpu": round(cpu["verity cold"] / sum(cpu[p] for p in PEERS), 3),
        "cold_over_ruff_verity_rules": round(wall["verity cold"] / wall["ruff (Verity's rules)"], 1),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
