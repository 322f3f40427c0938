"""The cyclic garbage collector stays out of an audit, and is back as it was afterwards."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from app.engine.cache import MemoryFactsCache
from app.engine.collector import collector_paused, start_forked_worker
from app.engine.pipeline import audit_commits
from app.engine.standing import standing_at
from app.gitrepo.repo import GitRepo
from tests.conftest import RepoBuilder


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """Record the generation of every collection the collector starts."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


def many_files(count: int) -> dict[str, str]:
    """Return a tree big enough that auditing it allocates far past the collector's thresholds."""
    return {f"pkg/m{i}.py": f'"""Module {i}."""\n\n\ndef f{i}(x: int) -> int:\n    """Add."""\n    return x + {i}\n'
            for i in range(count)}


def test_an_audit_runs_no_collection_and_leaves_the_collector_on(repo: RepoBuilder,
                                                                 collections: list[int]) -> None:
    base = repo.commit("base", many_files(60))
    head = repo.commit("head", {"pkg/extra.py": "Y = 1\n"})
    git = GitRepo(repo.root)
    git.diff(base, head)  # warm git's own caches, so only the engine runs below
    collections.clear()
    report = audit_commits(git, base, head, MemoryFactsCache())
    during = len(collections)  # no allocation here: a new list could start a collection itself
    assert during == 0  # 60 files' facts and findings allocate well past gen 0's threshold of 700
    assert report.passed
    assert gc.isenabled()
    gc.collect()
    assert collections[-1] == 2  # and it collects again once the audit is over


def test_a_standing_runs_no_collection(repo: RepoBuilder, collections: list[int]) -> None:
    head = repo.commit("head", many_files(60))
    collections.clear()
    standing_at(GitRepo(repo.root), head, MemoryFactsCache())
    assert len(collections) == 0
    assert gc.isenabled()


def test_the_collector_is_left_as_the_caller_had_it() -> None:
    states: list[bool] = []

    @collector_paused
    def work(fail: bool) -> None:
        states.append(gc.isenabled())
        if fail:
            raise ValueError("boom")

    gc.disable()
    try:
        work(False)
        assert not gc.isenabled()  # paused by the caller: still paused
    finally:
        gc.enable()
    with pytest.raises(ValueError, match="boom"):
        work(True)
    assert gc.isenabled() and states == [False, False]


def collector_state() -> tuple[bool, int]:
    """Return, in a pool process, whether its collector runs and how many objects it froze."""
    return gc.isenabled(), gc.get_freeze_count()


def test_a_forked_analysis_process_collects_only_its_own_objects() -> None:
    gc.disable()  # as inside an audit: the pool forks from a paused parent
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=start_forked_worker) as pool:
            enabled, frozen = pool.submit(collector_state).result()
    finally:
        gc.enable()
    assert enabled
    assert frozen > 1000  # everything it inherited (modules, the parent's facts) is out of its collections
