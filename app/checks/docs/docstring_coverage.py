"""Metric `docstring-coverage`: the share of public functions, classes and methods with a docstring."""

from __future__ import annotations

from app.checks.base import Metric, MetricUnit, RepoView
from app.checks.facts.python_docstrings import KEY as DOCSTRINGS
from app.checks.facts.python_paths import is_generated, is_private_module, is_stub
from app.engine.model import Domain

DESCRIPTION = """\
One unit per public definition of a non-test Python module: each module-level function, each class,
and each method of those classes. A unit is good when the definition has a docstring.

- Public means the name does not start with `_`, so private helpers and dunder methods such as
  `__init__` and `__repr__` are not counted. Modules that are private themselves (`_impl.py`, or
  under a `_private/` package) are not counted either.
- Not counted: test files (the policy's `paths.tests`), type stubs (`.pyi`), generated or vendored
  code (`migrations/`, `vendor/`, `*_pb2.py`...), nested classes (such as Django's `Meta`) and
  functions nested in functions.
- Definitions that document themselves elsewhere are skipped: `@overload` signatures (the
  implementation carries the docstring), property setters and deleters (the getter does) and
  `@override` methods (the base method does).
- A name defined more than once in a file (conditional definitions) is one unit, good when any of
  its definitions has a docstring.
- Short or trivial public functions count like any other: their docstring is what `help()` and
  IDEs show, and a size cut-off would make the ratio move with unrelated edits.

Each unit is labelled with the definition's qualified name (`Class.method`), so moving code within
a file keeps its units."""


def units(view: RepoView) -> list[MetricUnit]:
    """Return one unit per public definition of every non-test Python module."""
    found: list[MetricUnit] = []
    for facts in view.python_files():
        if not _is_counted(view, facts.path):
            continue
        documented: dict[str, bool] = {}
        for qualname, has_doc in facts.data.get(DOCSTRINGS) or []:
            documented[qualname] = documented.get(qualname, False) or bool(has_doc)
        found.extend(MetricUnit(facts.path, name, good) for name, good in documented.items())
    return found


def _is_counted(view: RepoView, path: str) -> bool:
    """Return whether a Python file's public definitions owe docstrings."""
    return not (view.is_test(path) or is_stub(path) or is_generated(path) or is_private_module(path))


METRIC = Metric("docstring-coverage", Domain.DOCS, 50.0, DESCRIPTION, units)
