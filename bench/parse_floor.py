"""Where a cold audit's time goes, against ruff alone: the parse floor CPython sets under Verity's checks.

    .venv/bin/python bench/parse_floor.py [--tree DIR] [--repeat N]

With no `--tree` it takes the Django sdist `bench/audit` measures, through `bench/audit`'s own
download (cached in `.bench/cache/`) and safe unpacking. It times, in this process and on one core,
each step of analysing every Python file of the tree:

- `parse, no objects`: CPython's own parser and symbol table (`_symtable.symtable`), the C work that
  builds no Python object: the least any analysis on CPython's parser can cost;
- `ast.parse`: the same parse, plus the syntax tree as Python objects;
- `Verity per file`: every file check and extractor Verity runs on a file (`analyse_text`), parse included;

then `ruff check` with Verity's rule set on the same files (its own threads), and prints each as a
multiple of ruff's CPU time. Nothing here runs the project's code: files are read as text.
"""

from __future__ import annotations

import argparse
import gc
import importlib.machinery
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine.facts import analyse_text  # noqa: E402 - the repository root goes on the path first
from app.engine.ruff import ruff_binary, ruff_command  # noqa: E402


def python_files(tree: Path) -> list[tuple[str, str]]:
    """Return (path, text) of every UTF-8 Python file of a tree, symlinks left alone."""
    found = []
    for path in sorted(tree.rglob("*.py")):
        if path.is_file() and not path.is_symlink():
            try:
                found.append((path.relative_to(tree).as_posix(), path.read_text("utf-8")))
            except UnicodeDecodeError:
                continue
    return found


def best_cpu(step: Callable[[], None], repeat: int) -> float:
    """Return the least CPU time of `repeat` runs of a step, with the cyclic collector off as in an audit."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
        gc.enable()
    return min(times)


def symtables(files: list[tuple[str, str]]) -> None:
    """Parse every file with CPython's parser and build its symbol table, creating no syntax-tree objects."""
    import _symtable  # CPython's C module: `symtable.symtable` without the Python wrappers

    for path, text in files:
        try:
            _symtable.symtable(text, path, "exec")
        except (SyntaxError, ValueError, RecursionError):
            continue


def syntax_trees(files: list[tuple[str, str]]) -> None:
    """Parse every file into a syntax tree of Python objects, as Verity's checks read it."""
    import ast

    for path, text in files:
        try:
            ast.parse(text, filename=path)
        except (SyntaxError, ValueError, RecursionError):
            continue


def verity_per_file(files: list[tuple[str, str]]) -> None:
    """Run every file check and extractor Verity runs on each file."""
    for path, text in files:
        analyse_text(path, text)


def ruff_cpu(tree: Path, repeat: int) -> tuple[float, float]:
    """Return the least (CPU, wall) seconds of `ruff check` with Verity's rules over the tree."""
    best_cpu_seconds, best_wall = float("inf"), float("inf")
    command = [ruff_binary(), *ruff_command(".")[1:]]
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=tree, capture_output=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu_seconds, best_wall = min(best_cpu_seconds, cpu), min(best_wall, wall)
    return best_cpu_seconds, best_wall


def bench_audit() -> ModuleType:
    """Load `bench/audit` (a script with no `.py`) as a module, for its sdist download and unpacking."""
    loader = importlib.machinery.SourceFileLoader("bench_audit", str(ROOT / "bench" / "audit"))
    module = ModuleType(loader.name)
    module.__file__ = loader.path  # it finds the repository, and its cache, from its own path
    sys.modules[loader.name] = module  # its dataclasses look their module up while the class is made
    loader.exec_module(module)
    return module


def django_tree(work: Path) -> Path:
    """Return the root of the Django sdist `bench/audit` measures, unpacked under `work`."""
    audit = bench_audit()
    tree: Path = audit.unpack(audit.download_sdist(audit.DJANGO_VERSION), work)
    return tree


def main() -> int:
    """Time each step and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="a folder of Python code (default: the cached Django sdist)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step; the least CPU time is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="verity-floor-") as work:
        tree = args.tree or django_tree(Path(work))
        files = python_files(tree)
        lines = sum(text.count("\n") for _, text in files)
        print(f"{tree.name}: {len(files)} Python files, {lines:,} lines; "
              f"{os.cpu_count()} CPUs; least CPU of {args.repeat} runs")
        ruff, ruff_wall = ruff_cpu(tree, args.repeat)
        steps = {
            "parse, no objects (_symtable)": best_cpu(lambda: symtables(files), args.repeat),
            "ast.parse": best_cpu(lambda: syntax_trees(files), args.repeat),
            "Verity per file (analyse_text)": best_cpu(lambda: verity_per_file(files), args.repeat),
        }
        print(f"| step | CPU seconds | x ruff's CPU ({ruff:.2f} s; wall {ruff_wall:.2f} s) |")
        print("|---|---|---|")
        for name, seconds in steps.items():
            print(f"| {name} | {seconds:.2f} | {seconds / ruff:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
