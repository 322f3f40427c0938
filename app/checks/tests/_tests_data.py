"""Read the `python.tests` data of the files the policy calls tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.checks.base import RepoView
from app.checks.facts import python_tests


def files_with_tests(view: RepoView) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (path, python.tests data) for every Python test file that has any."""
    for facts in view.python_files():
        data = facts.data.get(python_tests.KEY)
        if data and view.is_test(facts.path):
            yield facts.path, data


def asserting_helpers(view: RepoView) -> set[str]:
    """Return the names of every function of the snapshot that asserts (a test calling one asserts through it)."""
    names: set[str] = set()
    for facts in view.python_files():
        data = facts.data.get(python_tests.KEY)
        if data:
            names.update(data["helpers"])
    return names
