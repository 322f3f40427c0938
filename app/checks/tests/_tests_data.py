"""Read the `python.tests` data of the files the policy calls tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.checks.base import RepoView
from app.checks.facts import python_imports, python_tests
from app.checks.facts.python_modules import module_index, per_view


def test_snippet(what: str, target: str) -> str:
    """Return a test finding's snippet, `Class:what test_name` (a scoped rule's form, see `Rule.scoped`).

    A test keeps its findings when its class is renamed or split (diffusers 102c24934f moved skips of
    inherited tests into new mixin classes of the same file).
    """
    scope, _, name = target.rpartition(".")
    return f"{scope}:{what} {name}"


def files_with_tests(view: RepoView) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (path, python.tests data) for every Python test file that has any."""
    for facts in view.python_files():
        data = facts.data.get(python_tests.KEY)
        if data and view.is_test(facts.path):
            yield facts.path, data


# Folders and files that hold test utilities, wherever the policy's test globs stop.
TEST_CODE_PARTS = frozenset({"tests", "test", "testing", "testutils", "test_utils", "test_helpers", "pytest_plugins"})
TEST_CODE_FILES = frozenset({"conftest.py", "testing.py", "testutils.py", "test_utils.py", "test_helpers.py",
                             "pytest_plugin.py"})


def is_test_code(view: RepoView, path: str) -> bool:
    """Return whether a file is test code: a test, a conftest, or a test utility module or package."""
    parts = path.split("/")
    return view.is_test(path) or parts[-1] in TEST_CODE_FILES or bool(TEST_CODE_PARTS.intersection(parts[:-1]))


def asserting_helpers(view: RepoView, test_code: bool = True) -> set[str]:
    """Return the names of the functions that assert or raise, in test code (or in production code).

    Only test code asserts on a test's behalf: production code that raises is the code under test.
    """
    return _names(view, "helpers", test_code=test_code)


def _names(view: RepoView, key: str, *, test_code: bool = True, utilities_only: bool = False) -> set[str]:
    """Return the union of one list of the `python.tests` data of test code (or of production code).

    With `utilities_only`, only of test utility modules: test code pytest collects no tests from.
    """
    names: set[str] = set()
    for facts in view.python_files():
        data = facts.data.get(python_tests.KEY)
        if not data or is_test_code(view, facts.path) != test_code:
            continue
        if utilities_only and python_tests.TEST_FILE.fullmatch(facts.path.rsplit("/", 1)[-1]):
            continue
        names.update(data.get(key, ()))
    return names


def expected_to_raise(view: RepoView) -> set[str]:
    """Return the names some test file calls inside `pytest.raises` (a test calling one checks it does not raise)."""
    return _names(view, "raised")


def parent_helpers(view: RepoView, path: str) -> set[str]:
    """Return the asserting helpers a test file's `super()` may reach: its own, the test utility
    modules' (code that is test code but no test file) and those of the test files it imports."""
    near = _utility_helpers(view) | _helpers_of(view, path)
    index = module_index(view)
    for entry in view.data(path, python_imports.KEY, []):
        for module in python_imports.imported_modules(path, entry):
            for imported in index.resolve(module):
                near |= _helpers_of(view, imported)
    return near


def _helpers_of(view: RepoView, path: str) -> set[str]:
    """Return the asserting helpers one file defines, when it is test code."""
    data = view.data(path, python_tests.KEY)
    return set(data["helpers"]) if data and is_test_code(view, path) else set()


@per_view
def _utility_helpers(view: RepoView) -> set[str]:
    """Return the asserting helpers of test utility modules (mixins, conftest), built once per snapshot."""
    return _names(view, "helpers", utilities_only=True)
