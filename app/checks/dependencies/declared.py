"""What a snapshot declares and imports: the shared ground of the dependencies checks."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.checks.base import RepoView
from app.checks.dependencies.import_names import distribution_candidates, is_stdlib
from app.checks.dependencies.requires import brought_by
from app.checks.facts import dependency_manifests, lock_packages, python_imports
from app.checks.facts.python_modules import TOOLING_DIRS, ModuleIndex, module_index, per_view

# Code that is not shipped: its imports are judged neither as run-time nor as test imports.
TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "dodo.py", "pavement.py", "conftest.py"})
# Folders of developer scripts, when they are not packages of the shipped code (see `in_dev_scripts`).
DEV_SCRIPT_DIRS = frozenset({"dev", "bin", "hack", "devtools", "dev_tools", "dev-tools", "script"})
# Path parts of modules shipped to support test suites (a pytest plugin, `pkg/testing.py`).
TEST_SUPPORT_WORDS = ("test", "pytest", "fixture")


@dataclass(frozen=True)
class Declaration:
    """One declared dependency, located in its manifest."""

    path: str
    name: str
    spec: str | None
    marker: str
    list: str
    role: str
    line: int
    format: str
    lock: bool


@dataclass
class Declared:
    """Every dependency a snapshot declares, and whether its declarations can be judged."""

    declarations: list[Declaration] = field(default_factory=list)
    by_role: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    manifests: list[str] = field(default_factory=list)  # paths of files that declare a project's dependencies
    projects: set[str] = field(default_factory=set)
    incomplete: str = ""  # why the declarations cannot be read in full (then imports are not judged)
    # Per manifest, the sets of lists its tool never installs together (`[tool.uv] conflicts`).
    exclusive: dict[str, list[frozenset[str]]] = field(default_factory=dict)

    def exclusive_lists(self, path: str, first: str, second: str) -> bool:
        """Return whether a manifest declares two of its lists never installed together."""
        return first != second and any({first, second} <= lists for lists in self.exclusive.get(path, []))

    def declares(self, module: str, roles: tuple[str, ...]) -> bool:
        """Return whether any distribution that may provide a module is declared in one of the roles."""
        return self._declares_any(distribution_candidates(module), roles)

    def declares_import(self, imp: ThirdPartyImport, roles: tuple[str, ...]) -> bool:
        """Return whether any distribution that may provide an import (or a module it names) is declared."""
        return self._declares_any(imp.candidates(), roles)

    def bringer(self, imp: ThirdPartyImport, roles: tuple[str, ...]) -> str | None:
        """Return a distribution declared in one of the roles that always installs the import's, if any."""
        candidates = imp.candidates()
        for role in roles:
            for declared_name in sorted(self.by_role[role]):
                if brought_by(declared_name) & candidates:
                    return declared_name
        return None

    def _declares_any(self, candidates: set[str], roles: tuple[str, ...]) -> bool:
        """Return whether one of the roles declares one of these normalised distributions."""
        return any(candidates & self.by_role[role] for role in roles)


@per_view
def declared(view: RepoView) -> Declared:
    """Return the declarations of a snapshot, read from every file's `dependencies.manifest` data."""
    out = Declared()
    unread: list[str] = []
    runtime_requirements = False
    for path, facts in sorted(view.files.items()):
        data = facts.data.get(dependency_manifests.KEY)
        if not isinstance(data, dict):
            continue
        _add_manifest(out, path, data)
        runtime_requirements |= data["format"] == "requirements" and any(d["role"] == "runtime" for d in data["deps"])
        if data["format"] != "install":
            unread += [t for t in data["includes"] if _include_path(path, t) not in view.files]
    opaque = [p for p in out.manifests if view.data(p, dependency_manifests.KEY, {}).get("opaque")]
    if opaque and not runtime_requirements:
        out.incomplete = f"{opaque[0]} computes its dependencies"
    elif unread:
        out.incomplete = f"{unread[0]} is included but was not read"
    return out


@per_view
def lock_pinned(view: RepoView) -> frozenset[str] | None:
    """Return the distributions the repository's lock files pin, or None when one could not be read.

    A lock file installs what it pins, direct or transitive, so such a package is present where the
    suite runs; a lock too large to read may pin anything.
    """
    locks = [p for p in view.all_paths if lock_packages.is_lock_file(p)]
    if any(p not in view.files for p in locks):
        return None
    return frozenset(name for p in locks for name in view.data(p, lock_packages.KEY, None) or [])


def _add_manifest(out: Declared, path: str, data: dict[str, Any]) -> None:
    """Add one file's declarations."""
    if data["manifest"]:
        out.manifests.append(path)
    if data["project"]:
        out.projects.add(data["project"])
    if data.get("conflicts"):
        out.exclusive[path] = [frozenset(lists) for lists in data["conflicts"]]
    for dep in data["deps"]:
        out.by_role[dep["role"]].add(dep["name"])
        if data["manifest"]:
            out.declarations.append(Declaration(
                path=path, name=dep["name"], spec=dep["spec"], marker=dep["marker"], list=dep["list"],
                role=dep["role"], line=dep["line"], format=data["format"], lock=bool(data["lock"]),
            ))


def _include_path(manifest: str, target: str) -> str:
    """Return the repository path an include names, relative to the including file's folder."""
    folder = manifest.rsplit("/", 1)[0] if "/" in manifest else ""
    return posixpath.normpath(posixpath.join(folder, target)) if target else ""


def file_role(view: RepoView, path: str) -> str:
    """Return `test`, `tooling` or `runtime`: which declarations a Python file's imports must be in."""
    if view.is_test(path):
        return "test"
    if path.endswith(".pyi") or path.rsplit("/", 1)[-1] in TOOLING_FILES or in_tooling_dir(path):
        return "tooling"
    if in_dev_scripts(path, view.all_paths):
        return "tooling"
    return "runtime"


def in_dev_scripts(path: str, all_paths: frozenset[str]) -> bool:
    """Return whether a file is a developer script: under `dev/`, `bin/` or `hack/` outside any package.

    Such folders are often packages of the shipped code too (`app/dev/`), so one counts only when it is
    not a package (no `__init__.py`): then nothing imports it, and its scripts are run by hand.
    """
    parts = path.split("/")[:-1]
    for depth, part in enumerate(parts, start=1):
        if part.lower() in DEV_SCRIPT_DIRS and "/".join([*parts[:depth], "__init__.py"]) not in all_paths:
            return True
    return False


def in_tooling_dir(path: str) -> bool:
    """Return whether a file sits under docs/, examples/, scripts/ or another folder of unshipped code."""
    return any(part in TOOLING_DIRS for part in path.split("/")[:-1])


def is_test_support(path: str) -> bool:
    """Return whether a shipped module exists to support test suites (`pkg/testing.py`, a pytest plugin)."""
    return any(word in part.lower() for part in path.split("/") for word in TEST_SUPPORT_WORDS)


@dataclass(frozen=True)
class ThirdPartyImport:
    """A third-party module imported by one file: the first unconditional import of its top-level name."""

    path: str
    module: str
    line: int
    local: bool
    optional: bool = False  # guarded (`try: ... except ImportError:`): only with `guarded=True`
    # What a from-import may load besides its module: `from backports import zstd` loads `backports.zstd`,
    # which a namespace package's distribution (`backports.zstd`) provides, not one named `backports`.
    submodules: tuple[str, ...] = ()

    def candidates(self) -> set[str]:
        """Return the normalised distributions that may provide this import."""
        found = distribution_candidates(self.module)
        for submodule in self.submodules:
            found |= distribution_candidates(submodule)
        return found


def third_party_imports(view: RepoView, path: str, *, guarded: bool = False) -> Iterator[ThirdPartyImport]:
    """Yield the required third-party imports of a file, one per top-level name (the first, in line order).

    With `guarded`, the guarded imports come first, one per top-level name, marked optional.
    """
    index = module_index(view)
    projects = declared(view).projects
    entries = view.data(path, python_imports.KEY, [])
    # A module the file imports optionally somewhere is optional in the whole file (`if has_simplejson:`).
    seen = {e["module"].split(".", 1)[0] for e in entries if e["optional"]}
    if guarded:
        yield from _guarded_imports(entries, path, index, projects)
    for entry in entries:
        if entry["level"] or entry["type_checking"]:
            continue
        module = entry["module"]
        top = module.split(".", 1)[0]
        if top in seen or not is_third_party(module, index, projects):
            continue
        seen.add(top)
        yield ThirdPartyImport(path, module, entry["line"], entry["local"], submodules=_submodules(entry))


def _guarded_imports(
    entries: list[dict[str, Any]], path: str, index: ModuleIndex, projects: set[str]
) -> Iterator[ThirdPartyImport]:
    """Yield a file's guarded third-party imports, one per top-level name."""
    seen: set[str] = set()
    for entry in entries:
        module = entry["module"]
        top = module.split(".", 1)[0]
        if not entry["optional"] or entry["level"] or entry["type_checking"] or top in seen:
            continue
        if is_third_party(module, index, projects):
            seen.add(top)
            yield ThirdPartyImport(path, module, entry["line"], entry["local"], optional=True,
                                   submodules=_submodules(entry))


def _submodules(entry: dict[str, Any]) -> tuple[str, ...]:
    """Return the modules an absolute from-import may load under its module (`from a import b`: `a.b`)."""
    return tuple(python_imports.imported_modules("", entry)[1:]) if entry["names"] else ()


def is_third_party(module: str, index: ModuleIndex, projects: set[str]) -> bool:
    """Return whether a module is neither standard library nor first-party (a module or folder of the repo)."""
    top = module.split(".", 1)[0]
    if not top or is_stdlib(module) or top in index.top_names:
        return False
    return not (distribution_candidates(top) & projects)


def imported_modules(view: RepoView) -> set[str]:
    """Return every absolute module any Python file imports, optional and type-checking ones included."""
    found: set[str] = set()
    for facts in view.python_files():
        for entry in facts.data.get(python_imports.KEY, []):
            if not entry["level"] and entry["module"]:
                found.update(python_imports.imported_modules(facts.path, entry))
    return found
