"""Metric `test-coverage-of-modules`: the share of source modules that some test imports or is named after."""

from __future__ import annotations

from app.checks.base import RATIO, Metric, MetricUnit, RepoView
from app.checks.facts import python_defs, python_imports, python_tests
from app.checks.facts.python_modules import TOOLING_DIRS, ModuleIndex, is_package_init, module_index
from app.checks.facts.python_paths import is_generated
from app.engine.model import Domain, FileFacts

NAME = "test-coverage-of-modules"
POINTS = 40.0
LABEL = "tested"
MIN_LINES = 5  # smaller modules (constants, re-exports) are not owed a test of their own
NOT_SOURCE_FILES = frozenset(
    {"__init__.py", "__main__.py", "conftest.py", "setup.py", "manage.py", "noxfile.py", "fabfile.py",
     "wsgi.py", "asgi.py"}
)
DESCRIPTION = (
    "Source modules that some test imports (by dotted name, through a package's re-exports, or by a "
    "patch()/import_module() string) or that a test file is named after (test_<module>.py, "
    "<module>_test.py, or test_<package>.py for the modules of that package; leading underscores "
    "aside), out of every non-test module of at least "
    f"{MIN_LINES} non-blank lines that defines a function or class, outside docs, examples, scripts, "
    "migrations and generated or vendored code; __init__, __main__, conftest, setup and manage modules "
    f"and stubs are not counted. A repository with modules and no tests loses all {POINTS:.0f} points; "
    "a PR that adds an untested module or deletes the test of one owns the drop."
)


def is_source_module(view: RepoView, facts: FileFacts) -> bool:
    """Return whether a Python file is a source module that is owed a test."""
    parts = facts.path.split("/")
    return (
        facts.path.endswith(".py")
        and facts.loc >= MIN_LINES
        and parts[-1] not in NOT_SOURCE_FILES
        and not any(p in TOOLING_DIRS for p in parts[:-1])
        and not is_generated(facts.path)
        and bool(facts.data.get(python_defs.KEY))  # settings, constants and URL tables have no behaviour to test
        and not view.is_test(facts.path)
    )


def units(view: RepoView) -> list[MetricUnit]:
    """Return one unit per source module: good when a test imports it or is named after it."""
    sources = [f for f in view.python_files() if is_source_module(view, f)]
    if not sources:
        return []
    index = module_index(view)
    tests = [f for f in view.python_files() if view.is_test(f.path)]
    covered = _reexported(view, index, _imported_by_tests(index, tests))
    named = {name for f in tests if (name := _tested_name(f.path)) is not None}
    return [MetricUnit(f.path, LABEL, f.path in covered or _named_after(f.path, named)) for f in sources]


def _named_after(path: str, named: set[str]) -> bool:
    """Return whether a test is named after the module or its package (`test_security.py` for `security/x.py`)."""
    parts = path.split("/")
    package = parts[-2].lstrip("_") if len(parts) > 1 else ""
    return _stem(path).lstrip("_") in named or (bool(package) and package in named)


def _imported_by_tests(index: ModuleIndex, tests: list[FileFacts]) -> set[str]:
    """Return the module files the test files import or name in patch()/import_module() strings."""
    covered: set[str] = set()
    for facts in tests:
        for entry in facts.data.get(python_imports.KEY, []):
            if not entry["type_checking"]:
                for name in python_imports.imported_modules(facts.path, entry):
                    covered |= index.resolve(name)
        for ref in (facts.data.get(python_tests.KEY) or {}).get("refs", []):
            parts = ref.split(".")
            for end in range(len(parts), 0, -1):
                covered |= index.resolve(".".join(parts[:end]))
    return covered


def _reexported(view: RepoView, index: ModuleIndex, covered: set[str]) -> set[str]:
    """Add the modules that imported packages import in their `__init__` (the package's public API)."""
    queue = [p for p in covered if is_package_init(p)]
    while queue:
        init = queue.pop()
        for entry in view.data(init, python_imports.KEY, []):
            if entry["type_checking"]:
                continue
            for name in python_imports.imported_modules(init, entry):
                for path in index.resolve(name) - covered:
                    covered.add(path)
                    if is_package_init(path):
                        queue.append(path)
    return covered


def _stem(path: str) -> str:
    """Return a module file's name without folder and extension."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _tested_name(path: str) -> str | None:
    """Return the module a test file is named after (`test_cart.py`, `cart_test.py` -> `cart`), or None.

    Leading underscores are dropped on both sides: `test_cart.py` is named after `_cart.py` too.
    """
    stem = _stem(path)
    if stem.startswith("test_") and len(stem) > 5:
        return stem[5:].lstrip("_")
    if stem.endswith("_test") and len(stem) > 5:
        return stem[:-5].lstrip("_")
    return None


METRIC = Metric(NAME, Domain.TESTS, POINTS, DESCRIPTION, units, kind=RATIO,
                good_unit="{path} now has a test", bad_unit="{path} has no test",
                bad_plural="modules without a test")
