"""Which Python modules a snapshot holds, and under which dotted names code can import them.

A file is importable under several names, because what is on `sys.path` depends on how the code
runs: its path from the repository root (`backend/app/models.py` -> `backend.app.models`), its path
below a `src/` folder, and its name from the first folder up that is not a package (the folder pytest
puts on `sys.path`: `backend/app/models.py` -> `app.models` when `backend/` has no `__init__.py`).
`ModuleIndex.resolve` tries those names exactly, then, for dotted names, any module whose path ends
with the name, so resolution errs on the side of "found".
"""

from __future__ import annotations

import bisect
import functools
import itertools
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from app.checks.base import RepoView
from app.checks.facts.python_paths import GENERATED_DIRS
from app.checks.reads import note_all, recording

# Folders of code that is not shipped: documentation, examples, scripts, benchmarks, and the generated
# or vendored folders of `python_paths`. Neither owed tests nor judged for declared imports.
TOOLING_DIRS = frozenset(
    {"docs", "doc", "examples", "example", "scripts", "tools", "tool", "bench", "benchmarks", "benchmark",
     ".github", "ci", "contrib", "demo", "demos", "sandbox", "notebooks", "playground"}
) | GENERATED_DIRS
SOURCE_SUFFIXES = (".py", ".pyi")
# Compiled and Cython sources: they only prove that a module of that name exists once built.
BUILT_SUFFIXES = (".pyx", ".pxd", ".so", ".pyd")


def module_parts(path: str) -> list[str] | None:
    """Return the dotted parts of a module file's path from the root (a package's for `__init__`), or None."""
    folder, _, name = path.rpartition("/")
    if not name.endswith(SOURCE_SUFFIXES + BUILT_SUFFIXES):
        return None
    stem = name.split(".", 1)[0]  # also drops the ABI tag of `mod.cpython-311-x86_64-linux-gnu.so`
    parts = folder.split("/") if folder else []
    return parts if stem == "__init__" else [*parts, stem]


def is_package_init(path: str) -> bool:
    """Return whether a path is a package's `__init__` module."""
    return path.rsplit("/", 1)[-1] in ("__init__.py", "__init__.pyi")


def _dotted(parts: list[str]) -> str | None:
    """Return parts joined with dots, or None if one of them is not an identifier."""
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None


@dataclass
class ModuleIndex:
    """Every importable module and package of a snapshot, by each name it can be imported under."""

    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    suffixes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    folders: set[str] = field(default_factory=set)  # names (and name suffixes) of folders holding modules
    packages: set[str] = field(default_factory=set)  # folder paths holding an `__init__` module
    top_packages: set[str] = field(default_factory=set)  # regular packages whose parent is not a package
    top_names: set[str] = field(default_factory=set)  # every name a first-party import may start with
    _seen_folders: set[str] = field(default_factory=set, repr=False)  # folder paths already registered

    @classmethod
    def build(cls, paths: Iterable[str]) -> ModuleIndex:
        """Index the module files among a snapshot's paths."""
        index = cls()
        modules = {p: parts for p in paths if (parts := module_parts(p)) is not None}
        index.packages = {p.rsplit("/", 1)[0] for p in modules if is_package_init(p) and "/" in p}
        for path, parts in modules.items():
            index._add(path, parts)
        return index

    def names(self, path: str, parts: list[str]) -> set[str]:
        """Return the exact dotted names of a module: from the root, below `src/`, from its first non-package folder."""
        candidates = [parts]
        if "src" in parts[:-1]:
            last_src = len(parts) - 1 - parts[::-1].index("src")
            candidates.append(parts[last_src + 1 :])
        folders = path.split("/")[:-1]
        depth = len(folders)
        while depth > 0 and "/".join(folders[:depth]) in self.packages:
            depth -= 1
        candidates.append(parts[depth:])
        return {name for c in candidates if (name := _dotted(c))}

    def _add(self, path: str, parts: list[str]) -> None:
        """Register one module file under each of its names, with the folders above it."""
        for name in self.names(path, parts):
            self.exact[name].add(path)
            self.top_names.add(name.split(".", 1)[0])
        for k in range(1, len(parts) + 1):
            if (suffix := _dotted(parts[-k:])) is not None:
                self.suffixes[suffix].add(path)
        folders = path.split("/")[:-1]
        for depth in range(1, len(folders) + 1):
            folder = "/".join(folders[:depth])
            if folder not in self._seen_folders:  # every file of a folder names it again: register it once
                self._seen_folders.add(folder)
                self._add_folder(folders[:depth])
        if is_package_init(path) and folders:
            parent = "/".join(folders[:-1])
            if parent not in self.packages and folders[-1].isidentifier():
                self.top_packages.add(folders[-1])

    def _add_folder(self, folders: list[str]) -> None:
        """Register a folder that holds modules: it may be imported as a (namespace) package."""
        for k in range(1, len(folders) + 1):
            if (suffix := _dotted(folders[-k:])) is not None:
                self.folders.add(suffix)
        if folders[-1].isidentifier():
            self.top_names.add(folders[-1])

    def resolve(self, name: str) -> set[str]:
        """Return the module files a dotted import name may load (empty when none is known)."""
        found = self.exact.get(name)
        if found:
            return found
        if "." in name:
            return self.suffixes.get(name, set())
        return set()

    def exists(self, name: str) -> bool:
        """Return whether a dotted name is a known module, package or folder of modules."""
        return bool(self.resolve(name)) or name in self.folders


_T = TypeVar("_T")


def per_view(build: Callable[[RepoView], _T]) -> Callable[[RepoView], _T]:
    """Memoise a function of a RepoView for the last few views: several checks share one build per snapshot.

    The views are held weakly: a worker audits repository after repository, and a memo must not keep
    an audit's every fact alive after it (nor make the collector walk them). Each build keeps the
    facts it read (`app.checks.reads`), and every check that uses it is told them.
    """
    recent: list[tuple[weakref.ref[RepoView], _T, frozenset[str]]] = []

    def forget(dead: weakref.ref[RepoView]) -> None:
        recent[:] = [item for item in recent if item[0] is not dead]

    @functools.wraps(build)
    def cached(view: RepoView) -> _T:
        for ref, value, reads in recent:
            if ref() is view:
                note_all(reads)  # the check using this build depends on what building it read
                return value
        with recording() as seen:
            value = build(view)
        recent.insert(0, (weakref.ref(view, forget), value, frozenset(seen)))
        del recent[4:]
        return value

    return cached


@per_view
def module_index(view: RepoView) -> ModuleIndex:
    """Return the module index of a snapshot (every path of its tree, excluded ones included, and the paths
    its symlinks give them)."""
    return ModuleIndex.build([*view.all_paths, *linked_paths(view.all_paths, view.symlinks)])


MAX_LINKED_PATHS = 100_000  # symlinks can multiply a tree: a hostile one stops being expanded here


def linked_paths(paths: Iterable[str], symlinks: Mapping[str, str]) -> list[str]:
    """Return the paths symlinks make: `kubernetes/watch/watch.py` for a link `kubernetes/watch` to
    `kubernetes/base/watch` (kubernetes-client/python), or the link itself for a link to a file.

    One level only: a path a link makes is not followed through another link.
    """
    ordered = sorted(paths)
    made: list[str] = []
    for link, target in sorted(symlinks.items()):
        start = bisect.bisect_left(ordered, target + "/")
        for path in itertools.islice(ordered, start, None):
            if not path.startswith(target + "/") or len(made) >= MAX_LINKED_PATHS:
                break
            made.append(link + path[len(target):])
        if link.endswith(SOURCE_SUFFIXES) and target.endswith(SOURCE_SUFFIXES):
            made.append(link)  # a module linked under another name
    return made
