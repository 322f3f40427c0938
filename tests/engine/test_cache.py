"""Facts are cached by (engine, rules, path, blob SHA): an audit analyses only what changed."""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from pathlib import Path

from app.engine.cache import MemoryFactsCache, SQLiteFactsCache
from app.engine.model import Domain, FileFacts, RawFinding
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit


class CountingCache(MemoryFactsCache):
    """A real in-memory cache that remembers which paths it was asked to store."""

    def __init__(self) -> None:
        super().__init__()
        self.stored: list[str] = []

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        """Store facts and record their paths."""
        self.stored.extend(sorted(f.path for f in items.values()))
        super().put_many(items)


def test_a_warm_audit_analyses_only_changed_files(repo: RepoBuilder) -> None:
    files = {f"pkg/mod{i}.py": f'"""Module {i}."""\n\nVALUE = {i}\n' for i in range(30)}
    base = repo.commit("base", files)
    head = repo.commit("pr", {"pkg/mod3.py": '"""Module 3."""\n\nVALUE = 33\n', "pkg/new.py": '"""New."""\n'})
    cache = CountingCache()
    run_audit(repo, base, base, cache)
    assert len([p for p in cache.stored if p]) == 30
    cache.stored.clear()
    run_audit(repo, base, head, cache)
    assert [p for p in cache.stored if p] == ["pkg/mod3.py", "pkg/new.py"]  # "" is the head's repo results


def test_a_change_to_setup_py_alone_is_analysed_alone_and_changes_what_is_shipped(repo: RepoBuilder) -> None:
    documented = '"""Module."""\n\n\ndef run() -> None:\n    """Run."""\n'
    undocumented = "".join(f"def step_{n}() -> None:\n    pass\n\n\n" for n in range(6))
    files = {"pkg/__init__.py": '"""Pkg."""\n', "pkg/core.py": documented, "pkg_tools/__init__.py": "",
             "pkg_tools/release.py": undocumented,
             "setup.py": "from setuptools import find_packages, setup\nsetup(packages=find_packages())\n"}
    base = repo.commit("base", files)
    head = repo.commit("ship pkg only", {"setup.py": files["setup.py"].replace("()", '(exclude=["pkg_tools*"])', 1)})
    cache = CountingCache()
    run_audit(repo, base, base, cache)
    cache.stored.clear()
    docs = domain(run_audit(repo, base, head, cache), Domain.DOCS)
    assert [p for p in cache.stored if p] == ["setup.py"]
    assert docs.base is not None and docs.head is not None and docs.head > docs.base


def test_sqlite_cache_round_trips_facts(tmp_path: Path) -> None:
    facts = FileFacts(path="a.py", kind="python", loc=3, findings=[RawFinding("F401", 1, "unused", snippet="import os")],
                      data={"python.defs": [["f", 1]]}, suppressions={2: (("S602",), "constant")})
    cache = SQLiteFactsCache(tmp_path / "c.sqlite3")
    cache.put_many({"k": facts})
    cache.close()
    again = SQLiteFactsCache(tmp_path / "c.sqlite3")
    assert again.get_many(["k", "missing"]) == {"k": facts}
    again.close()


def test_repo_level_results_are_cached_by_commit(repo: RepoBuilder) -> None:
    files = {f"pkg/mod{i}.py": f'"""Module {i}."""\n\nVALUE = {i}\n' for i in range(5)}
    base = repo.commit("base", files)
    head = repo.commit("pr", {"pkg/mod3.py": '"""Module 3."""\n\nimport os\n'})
    cache = CountingCache()
    first = run_audit(repo, base, head, cache)
    assert sorted(p for p in cache.stored if p == "") == ["", ""]  # one repo-results entry per commit
    cache.stored.clear()
    again = run_audit(repo, base, head, cache)
    assert cache.stored == []
    assert again.to_json() == first.to_json()


def _analyse_in_child(results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Analyse more files than the parallel threshold, as a Celery prefork child would."""
    from app.engine.collect import PARALLEL_THRESHOLD, _analyse_texts

    items = [(f"k{i}", (f"m{i}.py", f"X = {i}\n")) for i in range(PARALLEL_THRESHOLD + 5)]
    results.put(len(_analyse_texts(items)))


def test_a_daemonic_worker_process_analyses_large_batches_serially() -> None:
    from app.engine.collect import PARALLEL_THRESHOLD

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_analyse_in_child, args=(results,), daemon=True)
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert results.get(timeout=5) == PARALLEL_THRESHOLD + 5
