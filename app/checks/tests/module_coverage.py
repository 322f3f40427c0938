"""Metric `test-coverage-of-modules`: the share of source modules some test reaches by name or is named after."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from app.checks.base import RATIO, Metric, MetricUnit, RepoView
from app.checks.facts import python_defs, python_imports, python_tests
from app.checks.facts.python_modules import ModuleIndex, is_package_init, module_index
from app.checks.facts.python_packaging import shipped
from app.checks.facts.python_paths import is_generated
from app.checks.reads import LOC, TRUTHY, projected, projection, stage
from app.engine.model import Domain, FileFacts

NAME = "test-coverage-of-modules"
POINTS = 40.0
LABEL = "tested"
MIN_LINES = 5  # smaller modules (constants, re-exports) are not owed a test of their own
MAX_REEXPORT_DEPTH = 5
NOT_SOURCE_FILES = frozenset(
    {"__init__.py", "__main__.py", "conftest.py", "setup.py", "manage.py", "noxfile.py", "fabfile.py",
     "wsgi.py", "asgi.py"}
)
DESCRIPTION = (
    "Source modules that some test reaches: it imports the module, loads it by an import string "
    "(`\"pkg.mod:App\"`, as uvicorn and entry points do), or uses a name the module defines "
    "(`from pkg import main` or `pkg.main` reach the module behind pkg's re-exports that defines main, "
    "not every module of pkg; a patch() string mocks a module, it does not test it), or a test file is "
    "named after it (test_<module>.py, "
    "<module>_test.py, test_<package>.py or test_<parent>_<package>.py for the modules of that package, "
    "or test_<feature>.py for a "
    "private module named _<feature>_<part>.py; leading underscores "
    "aside), or a test is (test_<module>_<case>() or class Test<Module>) in a test file that imports "
    "the module's package or a module beside it, out of every non-test module of at least "
    f"{MIN_LINES} non-blank lines that defines a function or class in shipped code (the packages and modules "
    "the project declares in pyproject.toml, setup.cfg or setup.py's literal setup() arguments, when it does; "
    "never docs, examples, scripts, benchmark suites such as pkg_benchmarks/, "
    "a top-level dev/ or bin/, "
    "migrations or generated or vendored code); __init__, __main__, conftest, setup and manage modules, "
    "a Django app's apps.py "
    f"and stubs are not counted. A repository with modules and no tests loses all {POINTS:.0f} points; "
    "a PR that adds an untested module or deletes the test of one owns the drop."
)


# What module coverage reads of a file's size and definitions: a PR that grows a module or adds a
# function to one that had some does not re-run it (app/checks/reads.py).
OWED_SIZE = projection(f"at-least-{MIN_LINES}", lambda loc: loc >= MIN_LINES)
# What `import *` may bring of a module's definitions: its public names (a private helper added to a
# star-exported module changes nothing a test can reach through the package).
PUBLIC_NAMES = projection("public-def-names",
                          lambda defs: frozenset(d["name"] for d in defs or () if not d["name"].startswith("_")))
# The stage holding the module files the tests reach (app/checks/reads.py, `stage`).
REACHED = "test-coverage-of-modules:reached"


def is_source_module(view: RepoView, facts: FileFacts, ships: Callable[[str], bool]) -> bool:
    """Return whether a Python file is a source module that is owed a test (`ships`: the snapshot's `shipped`)."""
    path = facts.path
    if not path.endswith(".py") or path.rsplit("/", 1)[-1] in NOT_SOURCE_FILES or is_generated(path):
        return False
    with projected(LOC, OWED_SIZE):
        if facts.loc < MIN_LINES:
            return False
    if not ships(path) or view.is_test(path) or _is_django_app_config(view, path):
        return False
    with projected(python_defs.KEY, TRUTHY):
        return bool(facts.data.get(python_defs.KEY))  # settings, constants and URL tables have no behaviour to test


def _is_django_app_config(view: RepoView, path: str) -> bool:
    """Return whether a module is a Django app's `apps.py`: configuration Django loads itself, like `wsgi.py`.

    jazzband/django-oauth-toolkit 9561866668 gave its `AppConfig` a `ready()` that imports its checks.
    """
    if path.rsplit("/", 1)[-1] != "apps.py":
        return False
    return any(entry["module"] == "django.apps" for entry in view.data(path, python_imports.KEY, []))


def units(view: RepoView) -> list[MetricUnit]:
    """Return one unit per source module: good when a test imports it or is named after it."""
    ships = shipped(view)  # once: each lookup of a shared build re-records all it read
    sources = [f for f in view.python_files() if is_source_module(view, f, ships)]
    if not sources:
        return []
    # Which modules the tests reach does not depend on which modules are owed a test: a PR that
    # makes one more module owed one (its first function) re-judges the modules, not every import.
    covered = set(stage(REACHED, lambda: sorted(_imported_by_tests(view, module_index(view), _tests(view)))))
    named = {name for f in _tests(view) if (name := _tested_name(f.path)) is not None}
    tested = {f.path for f in sources if f.path in covered or _named_after(f.path, named)}
    untested = [f.path for f in sources if f.path not in tested]
    tested |= _named_by_cases(_tests(view), untested) if untested else set()
    return [MetricUnit(f.path, LABEL, f.path in tested) for f in sources]


def _tests(view: RepoView) -> list[FileFacts]:
    """Return the facts of the snapshot's Python test files."""
    return [f for f in view.python_files() if view.is_test(f.path)]


def _named_after(path: str, named: set[str]) -> bool:
    """Return whether a test is named after the module or its package (`test_security.py` for `security/x.py`,
    `test_scene_objects.py` for `scene/objects/box.py`), or, for a private module, after the feature its name
    starts with (`test_himport.py` for `_himport_exec.py`).

    A private module is a part of a feature, tested through that feature's tests: redis-py 408806c899
    put the steps of its new HIMPORT commands in `_himport_exec.py`, driven by `tests/test_himport.py`.
    zauberzeug/nicegui 932f019e28 split `scene/scene_objects.py` into `scene/objects/*.py`, which
    `tests/test_scene_objects.py` still tests.
    """
    folders = [part.lstrip("_") for part in path.split("/")[:-1]]
    packages = {folders[-1], "_".join(folders[-2:])} if folders else set()
    stem = _stem(path)
    if stem.lstrip("_") in named or packages & named:
        return True
    words = stem.lstrip("_").split("_")
    return stem.startswith("_") and not stem.startswith("__") and any(
        "_".join(words[:end]) in named for end in range(1, len(words)))


def _named_by_cases(tests: list[FileFacts], untested: list[str]) -> set[str]:
    """Return the untested modules a test case is named after (`test_urlparse_ipv6()` or `class TestUrlParse`
    for `urlparse.py`) in a test file that imports the module's package or a module beside it.

    httpx 5b5f6d8e17 merged test_urlparse.py into test_url.py, whose `test_urlparse_*` cases test
    `httpx/_urlparse.py` through `import httpx`: the module is still named by its tests. Only the test
    files naming one of the untested modules have their imports read.
    """
    wanted: dict[str, list[str]] = {}
    for path in untested:
        for name in _case_names(path):
            if name:
                wanted.setdefault(name, []).append(path)
    longest = max(map(len, wanted), default=0)
    named: set[str] = set()
    for facts in tests:
        candidates = {path for name in _case_hits(facts, wanted, longest) for path in wanted[name]} - named
        if not candidates:
            continue
        imported = [module.split(".")
                    for entry in facts.data.get(python_imports.KEY, []) if not entry["type_checking"]
                    for module in python_imports.imported_modules(facts.path, entry)]
        named |= {path for path in candidates if _imports_folder(imported, posixpath.dirname(path))}
    return named


def _case_hits(facts: FileFacts, wanted: Mapping[str, list[str]], longest: int) -> set[str]:
    """Return the wanted names a test file's cases are named after: an underscore-bounded start of
    `test_<words>` (`urlparse` in `test_urlparse_ipv6`), or a test class's name after `Test`, lower-cased."""
    hits: set[str] = set()
    for entry in (facts.data.get(python_tests.KEY) or {}).get("tests", []):
        parts = str(entry["name"]).split(".")
        if parts[-1].startswith("test_"):
            prefix = ""
            for word in parts[-1][5:].split("_"):
                prefix = f"{prefix}_{word}" if prefix else word
                if len(prefix) > longest:
                    break
                if prefix in wanted:
                    hits.add(prefix)
        if len(parts) > 1 and parts[0].startswith("Test") and (name := parts[0][4:].lower()) in wanted:
            hits.add(name)
    return hits


def _imports_folder(imported: list[list[str]], folder: str) -> bool:
    """Return whether dotted imports name a folder's package (`httpx`) or a module in it (`httpx._urls`)."""
    folder_parts = folder.split("/") if folder else []
    for parts in imported:
        size = len(parts)
        if size <= len(folder_parts) and folder_parts[len(folder_parts) - size:] == parts:
            return True
        if 2 <= size <= len(folder_parts) + 1 and folder_parts[len(folder_parts) - size + 1:] == parts[:-1]:
            return True
    return False


def _case_names(path: str) -> tuple[str, str]:
    """Return the names a test case may call a module by: its stem, and the stem as a class name gives it."""
    stem = _stem(path).lstrip("_")
    return stem, stem.replace("_", "").lower()


def _imported_by_tests(view: RepoView, index: ModuleIndex, tests: list[FileFacts]) -> set[str]:
    """Return the module files some test reaches by name: a module it imports, or one defining a name it uses.

    `from pkg import main` and `pkg.main(...)` reach the module that defines `main` behind `pkg`'s
    re-exports (`pkg/_main.py`), not every module the package imports. A `patch("pkg.mod.fn")` string
    mocks a module out: it does not test it.
    """
    exports = _Exports(view, index)
    covered: set[str] = set()
    for facts in tests:
        for entry in facts.data.get(python_imports.KEY, []):
            if not entry["type_checking"]:
                covered |= _reached_by_import(exports, facts.path, entry)
        test_data = facts.data.get(python_tests.KEY) or {}
        for use in test_data.get("uses", []):
            covered |= exports.reach_dotted(use)
        for load in test_data.get("loads", []):  # `"pkg.mod:App"` given to a loader: `from pkg.mod import App`
            module, _, attribute = load.partition(":")
            covered |= exports.reach(module, attribute.split(".", 1)[0])
    return covered


def _reached_by_import(exports: _Exports, path: str, entry: dict[str, Any]) -> set[str]:
    """Return the module files one import statement of a test reaches."""
    module = python_imports.absolute_module(path, entry)
    if module is None:
        return set()
    if not entry["names"]:
        return exports.modules(module)  # `import pkg.mod`: a package alone is reached through its uses
    found: set[str] = set()
    for name in entry["names"]:
        if name == "*":
            found |= exports.modules(module) | exports.star(module)
        elif module:
            found |= exports.reach(module, name)
        else:
            found |= exports.modules(name)
    return found


class _Exports:
    """Resolves a name used through a module or package to the module files that define it."""

    def __init__(self, view: RepoView, index: ModuleIndex) -> None:
        self.view = view
        self.index = index
        # Tests name the same few modules thousands of times: split each name's files once.
        self._split: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        # Each package init is searched for a name once: star imports between packages can fan out and loop.
        self._taken: dict[tuple[str, str], frozenset[str]] = {}

    def modules(self, dotted_name: str) -> set[str]:
        """Return the regular module files (not package inits) a dotted name imports."""
        return set(self._files(dotted_name)[0])

    def inits(self, dotted_name: str) -> set[str]:
        """Return the package inits a dotted name imports."""
        return set(self._files(dotted_name)[1])

    def _files(self, dotted_name: str) -> tuple[frozenset[str], frozenset[str]]:
        """Return the regular modules and the package inits a dotted name imports, split once per name."""
        split = self._split.get(dotted_name)
        if split is None:
            files = self.index.resolve(dotted_name)
            inits = frozenset(p for p in files if is_package_init(p))
            split = (frozenset(files) - inits, inits)
            self._split[dotted_name] = split
        return split

    def reach_dotted(self, use: str) -> set[str]:
        """Return the modules a dotted use (`httpx.main`, `pkg.sub.mod.fn`) reaches."""
        parts = use.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            found = self.modules(prefix)
            if found:
                return found
            if self.inits(prefix) and end < len(parts):
                return self.reach(prefix, parts[end])
        return set()

    def reach(self, module: str, name: str, depth: int = 0) -> set[str]:
        """Return the modules that `from module import name` reaches, following package re-exports."""
        found = self.modules(f"{module}.{name}") or self.modules(module)
        if found or depth > MAX_REEXPORT_DEPTH:
            return found
        reached: set[str] = set()
        for init in self.inits(module):
            reached |= self._from_init(init, name, depth)
        return reached

    def _from_init(self, init: str, name: str, depth: int) -> set[str]:
        """Return the modules a package init (or a star-imported module) takes `name` from, each searched once."""
        key = (init, name)
        taken = self._taken.get(key)
        if taken is None:
            self._taken[key] = frozenset()  # a star import looping back here brings nothing more
            taken = self._taken[key] = frozenset(self._search_init(init, name, depth))
        return set(taken)

    def _search_init(self, init: str, name: str, depth: int) -> set[str]:
        """Return the modules a package's `__init__` takes `name` from (explicitly, else through star imports)."""
        stars: list[str] = []
        for entry in self.view.data(init, python_imports.KEY, []):
            source = python_imports.absolute_module(init, entry)
            if entry["type_checking"] or source is None:
                continue
            if name in entry["names"]:
                return self.reach(source, name, depth + 1) if source else self.modules(name)
            if "*" in entry["names"]:
                stars.append(source)
        found: set[str] = set()
        for source in stars:
            found |= self._from_star(source, name, depth)
        return found

    def _from_star(self, source: str, name: str, depth: int) -> set[str]:
        """Return the modules `from source import *` takes `name` from: its definer, or a subpackage's re-exports."""
        if name.startswith("_"):
            return set()  # `import *` brings no private name (unless an `__all__` lists it, which is rare)
        found: set[str] = set()
        for module in self.modules(source):
            if _defines(self.view, module, name):
                found.add(module)
            elif depth < MAX_REEXPORT_DEPTH:
                # A public name the module imports comes along too (django-environ's `from .environ import *`
                # brings the `FileAwareMapping` that environ.py imports from fileaware_mapping.py).
                found |= self._from_init(module, name, depth + 1)
        if depth < MAX_REEXPORT_DEPTH:
            # `from ._transports import *` brings what `_transports/__init__` star-imports in turn.
            for init in self.inits(source):
                found |= self._from_init(init, name, depth + 1)
        return found

    def star(self, module: str, depth: int = 0) -> set[str]:
        """Return the modules a package re-exports (what `from pkg import *` may bring), through subpackages' stars."""
        found: set[str] = set()
        for init in self.inits(module):
            for entry in self.view.data(init, python_imports.KEY, []):
                if entry["type_checking"]:
                    continue
                for name in python_imports.imported_modules(init, entry):
                    found |= self.modules(name)
                source = python_imports.absolute_module(init, entry)
                if source and "*" in entry["names"] and depth < MAX_REEXPORT_DEPTH:
                    found |= self.star(source, depth + 1)
        return found


def _defines(view: RepoView, path: str, name: str) -> bool:
    """Return whether a module defines a top-level class or function of that public name."""
    with projected(python_defs.KEY, PUBLIC_NAMES, path):
        return any(d["name"] == name for d in view.data(path, python_defs.KEY, []))


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
