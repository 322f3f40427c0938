"""All cores in the worker: a prefork pool child may start the engine's process pool."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import billiard
import pytest

from workers.celery_app import allow_children


def analyse_in_pool(allow: bool, results: billiard.Queue) -> None:
    """Run in a daemonic billiard process, as a pool child: start a process pool, report what happened."""
    if allow:
        allow_children()
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            results.put(("pids", len(set(pool.map(pid_of, range(8))))))
    except AssertionError as exc:
        results.put(("refused", str(exc)))


def pid_of(_: int) -> int:
    """Return the id of the process running this call."""
    import os

    return os.getpid()


@pytest.mark.parametrize(("allow", "outcome"), [(True, "pids"), (False, "refused")])
def test_a_pool_child_may_start_the_engines_process_pool_once_allowed(allow: bool, outcome: str) -> None:
    results: billiard.Queue = billiard.Queue()
    child = billiard.Process(target=analyse_in_pool, args=(allow, results), daemon=True)
    child.start()
    kind, _ = results.get(timeout=60)
    child.join(30)
    assert kind == outcome
