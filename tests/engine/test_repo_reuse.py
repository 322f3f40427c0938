"""A PR's head reuses the base's repo-level results only where the facts a check read did not change."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pytest

from app.checks.base import RepoView
from app.checks.facts.python_modules import module_index
from app.checks.reads import (
    EVERYTHING,
    KIND,
    LOC,
    TRUTHY,
    Stages,
    WatchedData,
    projected,
    recording,
    same_reads,
    stage,
    staging,
)
from app.checks.registry import METRICS, repo_checks
from app.checks.tests.module_coverage import REACHED
from app.engine.cache import MemoryFactsCache
from app.engine.model import FileFacts
from app.engine.repo_facts import RepoResults, compute, repo_results, reusable_from, watched_view
from config.policy import default_policy
from tests.helpers import recorded_run, repo_view

ROOT = Path(__file__).resolve().parents[2]
PKG_INIT = '"""Shop."""\n'
CART = '''"""Carts."""

from shop import prices


def total(items):
    """Return the total of the items."""
    return sum(prices.price(i) for i in items)
'''
PRICES = '''"""Prices."""


def price(item):
    """Return an item's price."""
    return item["price"]
'''
TEST_CART = '''from shop.cart import total


def test_total():
    assert total([{"price": 2}]) == 2
'''
WORKFLOW = '''name: ci
on: [pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - run: ruff check .
      - run: pytest
'''
BASE = {
    "shop/__init__.py": PKG_INIT, "shop/cart.py": CART, "shop/prices.py": PRICES,
    "tests/test_cart.py": TEST_CART, ".github/workflows/ci.yml": WORKFLOW,
    "pyproject.toml": '[project]\nname = "shop"\nversion = "1"\ndependencies = []\n',
}
APPENDED = '\n\ndef discount(item):\n    """Return an item\'s discount."""\n    return 0\n'
CYCLE = PRICES.replace('"""Prices."""\n', '"""Prices."""\n\nfrom shop import cart\n')


def _head_view(base: RepoView, files: Mapping[str, str], base_files: Mapping[str, str] = BASE) -> RepoView:
    """Return the head's view, sharing the base's facts object for every file the change kept (as the engine does)."""
    head = repo_view(files)
    shared = {path: base.files[path] if files[path] == base_files.get(path) else facts
              for path, facts in head.files.items()}
    return replace(head, files=shared)


def _incremental(head_files: Mapping[str, str],
                 base_files: Mapping[str, str] = BASE) -> tuple[RepoResults, RepoResults, RepoResults]:
    """Return (base results, head results reusing the base's, head results computed from scratch)."""
    base_view = repo_view(base_files)
    base = compute(base_view)
    head_view = _head_view(base_view, head_files, base_files)
    return base, compute(head_view, base, reusable_from(base_view, head_view)), compute(repo_view(head_files))


def _reused(base: RepoResults, head: RepoResults) -> set[str]:
    """Return the checks and metrics whose result the head took from the base (the same recorded reads)."""
    return {name for name, reads in head.reads.items() if reads is base.reads.get(name)}


@pytest.mark.parametrize("change", ["append a function", "add an import cycle", "break a test import",
                                    "drop the lint step", "edit a comment"])
def test_reusing_gives_what_computing_from_scratch_gives(change: str) -> None:
    edits = {
        "append a function": {"shop/prices.py": PRICES + APPENDED},
        "add an import cycle": {"shop/prices.py": CYCLE},
        "break a test import": {"tests/test_cart.py": TEST_CART.replace("shop.cart", "shop.carts")},
        "drop the lint step": {".github/workflows/ci.yml": WORKFLOW.replace("      - run: ruff check .\n", "")},
        "edit a comment": {"shop/cart.py": CART.replace('"""Carts."""', '"""Carts."""\n# shopping carts')},
    }
    _base, reusing, scratch = _incremental({**BASE, **edits[change]})
    assert reusing.found == scratch.found
    assert reusing.units == scratch.units


# A package that star-imports its prices, and a test that reaches `price` through the package only.
STARRED = {**BASE, "shop/__init__.py": PKG_INIT + "\nfrom shop.prices import *\n",
           "shop/prices.py": PRICES + APPENDED,
           "tests/test_cart.py": "from shop import price\n\n\ndef test_price():\n    assert price({'price': 1}) == 1\n"}


@pytest.mark.parametrize(
    ("change", "rerun"),
    [
        ({"shop/cart.py": CART + APPENDED}, False),  # a module owed a test grows: nothing coverage reads moved
        ({"shop/prices.py": PRICES + APPENDED + APPENDED.replace("discount", "rebate")}, True),  # a starred name more
        ({"shop/prices.py": PRICES + APPENDED + APPENDED.replace("discount", "_rounding")}, False),  # `*` skips it
        ({"shop/cart.py": CART.replace("return sum", "return 2 * sum")}, False),
        ({"shop/prices.py": (PRICES + APPENDED).replace("def price", "def cost")}, True),  # the test's name is gone
        ({"shop/prices.py": '"""Prices."""\n\nA = 1\nB = 2\nC = 3\nD = 4\n'}, True),  # no definitions left
        ({"shop/prices.py": '"""Prices."""\n\n\ndef price(item):\n    return item\n'}, True),  # under 5 lines
    ],
)
def test_module_coverage_reads_only_the_size_and_the_names_it_uses(change: dict[str, str], rerun: bool) -> None:
    base, reusing, scratch = _incremental({**STARRED, **change}, STARRED)
    assert reusing.units == scratch.units
    assert ("test-coverage-of-modules" not in _reused(base, reusing)) is rerun


CONSTANTS = '"""Formats."""\n\nA = 1\nB = 2\nC = 3\nD = 4\n'


@pytest.mark.parametrize(
    ("change", "reached_again"),
    [
        ({"shop/formats.py": CONSTANTS + APPENDED}, False),  # the Django bench's PR: a first function
        ({"shop/formats.py": "from shop import cart\n" + CONSTANTS + APPENDED}, True),  # and an import
        ({"tests/test_cart.py": TEST_CART + "from shop.formats import A\n"}, True),  # a test reaches more
    ],
)
def test_a_module_owed_its_first_test_reuses_what_the_tests_reach(change: dict[str, str],
                                                                  reached_again: bool) -> None:
    before = {**BASE, "shop/formats.py": CONSTANTS}
    base, reusing, scratch = _incremental({**before, **change}, before)
    assert reusing.units == scratch.units
    assert "test-coverage-of-modules" not in _reused(base, reusing)
    assert (reusing.stages[REACHED][1] is not base.stages[REACHED][1]) is reached_again
    assert reusing.stages[REACHED][0] == scratch.stages[REACHED][0]


def test_a_stage_is_built_once_per_snapshot_and_its_reads_reach_every_caller() -> None:
    view = watched_view(repo_view(BASE))
    builds: list[int] = []

    def build() -> list[int]:
        builds.append(view.files["shop/cart.py"].loc)
        return builds

    with staging(Stages({}, lambda reads: False)) as stages:
        with recording() as first:
            stage("loc", build)
        with recording() as second:
            stage("loc", build)
    assert len(builds) == 1
    assert first == second == {LOC}
    assert stages.kept() == {"loc": ([builds[0]], frozenset({LOC}))}
    assert stage("loc", lambda: [0]) == [0]  # outside a snapshot's checks: built each time


def test_an_unasked_stage_that_still_holds_is_kept_for_the_next_snapshot() -> None:
    earlier = {"held": ([1], frozenset({LOC})), "stale": ([2], frozenset({KIND}))}
    stages = Stages(earlier, lambda reads: reads == frozenset({LOC}))
    assert stages.kept() == {"held": ([1], frozenset({LOC}))}

def test_a_private_name_is_not_reached_through_a_star_import() -> None:
    private = {**STARRED, "tests/test_cart.py": "from shop import _rounding\n\n\ndef test_it():\n    assert _rounding\n",
               "shop/prices.py": PRICES + APPENDED.replace("discount", "_rounding")}
    units = {u.path: u.good for u in compute(repo_view(private)).units["test-coverage-of-modules"]}
    assert units["shop/prices.py"] is False
    assert {u.path: u.good for u in compute(repo_view(STARRED)).units["test-coverage-of-modules"]}["shop/prices.py"]


def test_a_projection_reads_one_files_part_of_a_fact() -> None:
    before = FileFacts(path="a.py", kind="python", loc=9, data={"python.defs": [{"name": "f"}]})
    grown = replace(before, loc=12, data={"python.defs": [{"name": "f"}, {"name": "g"}]})
    view = watched_view(RepoView(files={"a.py": before}, all_paths=frozenset({"a.py"}), policy=default_policy()))
    with recording() as seen, projected("python.defs", TRUTHY, "a.py"):
        assert view.files["a.py"].data.get("python.defs")
    assert seen == {"a.py\0python.defs|truthy"}
    assert same_reads(frozenset(seen), before, grown)
    assert not same_reads(frozenset(seen), before, replace(grown, data={}))
    assert same_reads(frozenset(seen), replace(before, path="b.py"), replace(grown, path="b.py", data={}))
    assert not same_reads(frozenset({"python.defs|no-such-projection"}), before, before)


def test_a_projected_block_that_reads_more_records_the_rest_whole() -> None:
    view = watched_view(RepoView(files={"a.py": FileFacts(path="a.py", kind="python", loc=3)},
                                 all_paths=frozenset({"a.py"}), policy=default_policy()))
    with recording() as seen, projected("python.defs", TRUTHY):
        view.files["a.py"].data.get("python.defs")
        assert view.files["a.py"].loc == 3
    assert seen == {"python.defs|truthy", LOC}


def test_a_change_to_what_a_check_read_runs_it_again() -> None:
    base, head, _ = _incremental({**BASE, "shop/prices.py": CYCLE})
    assert not base.found["ARC001"]
    assert head.found["ARC001"], "the new cycle is found, not the base's empty result reused"
    assert "ARC001" not in _reused(base, head)


def test_a_change_no_check_reads_reuses_the_checks_that_read_other_facts() -> None:
    base, head, _ = _incremental({**BASE, "shop/prices.py": PRICES + APPENDED})
    reused = _reused(base, head)
    assert "ARC001" in reused  # the import graph: the appended function imports nothing
    assert "TST004" in reused  # the tests' imports did not change
    assert "test-coverage-of-modules" not in reused  # it reads the definitions, which did change


def test_a_new_path_reuses_nothing() -> None:
    base_view = repo_view(BASE)
    base = compute(base_view)
    head_view = _head_view(base_view, {**BASE, "shop/extra.py": PRICES})
    head = compute(head_view, base, reusable_from(base_view, head_view))
    assert not _reused(base, head)


def test_the_head_reuses_the_cached_base_through_repo_results() -> None:
    cache = MemoryFactsCache()
    base_view = repo_view(BASE)
    base = repo_results(base_view, base_view.policy, "b" * 40, "digest", cache)
    head_view = _head_view(base_view, {**BASE, "shop/cart.py": CART + APPENDED})
    head = repo_results(head_view, head_view.policy, "c" * 40, "digest", cache, (base_view, base))
    assert "ARC001" in _reused(base, head)
    again = repo_results(head_view, head_view.policy, "c" * 40, "digest", cache)
    assert again == head, "the head's results, reused or not, are cached with their reads"


def test_every_check_and_metric_records_what_it_reads_on_a_real_tree() -> None:
    """Take away, from a real tree's facts, every fact a check did not record: its result must not move.

    A check that reads a fact without recording it would keep a stale result on a PR's head. The
    check tests assert the same on every scenario they build (tests/helpers.py, `recorded_run`).
    """
    view = _own_tree_view()
    for check in repo_checks():
        recorded_run(view, lambda v, c=check: [(rf.path, rf.finding) for rf in c.find(v)])
    for metric in METRICS:
        recorded_run(view, metric.units)


def test_a_shared_build_tells_every_check_that_uses_it_what_it_read() -> None:
    view = watched_view(repo_view(BASE))
    with recording() as first:
        module_index(view)
    with recording() as second:
        module_index(view)  # built already: the second user still depends on the build's reads
    assert second == first


def test_iterating_a_files_data_reads_all_of_it() -> None:
    data = WatchedData({"a": 1})
    with recording() as seen:
        assert dict(data) == {"a": 1}
    assert EVERYTHING in seen


def test_python_files_records_the_kinds_for_every_caller() -> None:
    view = watched_view(repo_view(BASE))
    view.python_files()
    with recording() as seen:
        view.python_files()
    assert KIND in seen


def _own_tree_view() -> RepoView:
    """Return a view of Verity's own tree (code, tests, CI, deploy manifests): real files of every kind."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    paths = [p for p in listed.decode().split("\0") if p and not p.startswith("tests/fixtures/")]
    files = {}
    for path in paths:
        raw = (ROOT / path).read_bytes()
        if len(raw) < 200_000 and b"\0" not in raw:
            files[path] = raw.decode("utf-8", "replace")
    return repo_view(files)
