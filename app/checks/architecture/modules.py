"""The repository's own Python modules: their dotted names and the imports between them.

Names come from the package structure, as Python's import system sees it: a file's import root is the
nearest directory above it that is not a package (has no `__init__.py`), so `src/billing/api.py` is
`billing.api` and a monorepo's `services/shop/shop/cart.py` is `shop.cart`. An absolute import is
resolved against the importer's own root first, then `src/`, then the repository root; a relative
import against the importer's directories. Nothing is imported or executed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.checks.base import RepoView
from app.checks.facts.python_imports import KEY as IMPORTS
from app.checks.facts.python_main_guard import KEY as MAIN_GUARD
from app.checks.facts.python_paths import is_generated

SRC = "src/"


@dataclass(frozen=True)
class Import:
    """One import of a first-party module by another."""

    target: str  # the imported module's path
    name: str  # its dotted name
    line: int
    runtime: bool  # runs when the importer is imported: not under TYPE_CHECKING, in a function or `__main__` guard


@dataclass(frozen=True)
class Layout:
    """The first-party modules of a snapshot: non-test, hand-written `.py` files."""

    names: dict[str, str]  # path -> dotted module name
    roots: dict[str, str]  # path -> import root, "" or a directory with a trailing slash
    files: frozenset[str]  # every `.py` path, first-party or not: what an import may load


def build_layout(view: RepoView) -> Layout:
    """Name every first-party module of a snapshot."""
    packages = package_dirs(view.all_paths)
    root_cache: dict[str, str] = {}
    names: dict[str, str] = {}
    roots: dict[str, str] = {}
    for path, facts in view.files.items():
        if facts.kind != "python" or not path.endswith(".py") or view.is_test(path) or is_generated(path):
            continue
        root = _import_root(_parent(path), packages, root_cache)
        name = module_name(path[len(root) :])
        if name:
            names[path] = name
            roots[path] = root
    return Layout(names, roots, frozenset(p for p in view.all_paths if p.endswith(".py")))


def package_dirs(paths: frozenset[str]) -> frozenset[str]:
    """Return every directory that is a regular package (holds an `__init__.py`)."""
    return frozenset(p[: -len("/__init__.py")] for p in paths if p.endswith("/__init__.py"))


def _import_root(directory: str, packages: frozenset[str], cache: dict[str, str]) -> str:
    """Return the import root of a directory: itself, or its first ancestor that is not a package."""
    cached = cache.get(directory)
    if cached is None:
        if directory in packages:
            cached = _import_root(_parent(directory), packages, cache)
        else:
            cached = f"{directory}/" if directory else ""
        cache[directory] = cached
    return cached


def _parent(path: str) -> str:
    """Return a path's directory, "" at the root."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def module_name(relative: str) -> str:
    """Return the dotted name of a module path relative to its import root (`a/b/__init__.py` -> `a.b`)."""
    stem = relative[: -len(".py")] if relative.endswith(".py") else relative
    if stem == "__init__":
        return ""
    if stem.endswith("/__init__"):
        stem = stem[: -len("/__init__")]
    return stem.replace("/", ".")


def path_name(path: str) -> str:
    """Return a module's dotted name from the repository root, `src/` stripped (namespace layouts)."""
    return module_name(path[len(SRC) :] if path.startswith(SRC) else path)


def imports(view: RepoView, layout: Layout, path: str) -> Iterator[Import]:
    """Yield a module's imports of first-party modules, resolved to their paths."""
    guards = [(int(a), int(b)) for a, b in view.data(path, MAIN_GUARD) or []]
    for entry in view.data(path, IMPORTS) or []:
        if not isinstance(entry, dict):
            continue
        line = int(entry.get("line") or 0)
        in_guard = any(first <= line <= last for first, last in guards)
        runtime = not entry.get("type_checking") and not entry.get("local") and not in_guard
        for target in resolve_entry(layout, path, entry):
            yield Import(target, layout.names[target], line, runtime)


def resolve_entry(layout: Layout, path: str, entry: dict[str, Any]) -> list[str]:
    """Return the paths of every first-party module one import entry loads (empty for third-party)."""
    module = str(entry.get("module") or "")
    level = int(entry.get("level") or 0)
    names = [str(n) for n in entry.get("names") or [] if n != "*"]
    bases = _relative_base(path, level) if level else _absolute_bases(layout, path)
    for base in bases:
        found = _resolve_in(layout, base, module, names)
        if found:
            # Resolved against every Python file, then kept if first-party: `from pkg import test_x`
            # loads the test module, not `pkg/__init__.py`, even though tests are not judged.
            return [target for target in found if target in layout.names]
    return []


def _relative_base(path: str, level: int) -> list[str]:
    """Return the directory a relative import starts from, as a one-item list (empty if it climbs out)."""
    parts = path.split("/")[:-1]
    if level - 1 > len(parts):
        return []
    kept = parts[: len(parts) - (level - 1)]
    return ["/".join(kept) + "/" if kept else ""]


def _absolute_bases(layout: Layout, path: str) -> list[str]:
    """Return the roots an absolute import is looked up in: the importer's root, `src/`, the repository root."""
    bases = [layout.roots.get(path, "")]
    for extra in (SRC, ""):
        if extra not in bases:
            bases.append(extra)
    return bases


def _resolve_in(layout: Layout, base: str, module: str, names: list[str]) -> list[str]:
    """Return the modules an import loads under one root: `from` names that are modules, and the module itself.

    The module itself counts for `import a.b`, and for a `from` import when some of its names are not
    submodules (they are attributes of the module, so it is what the importer depends on). A package
    loaded only on the way to a submodule (`a` for `import a.b`) is not counted: every module of a
    package would otherwise depend on its `__init__`, and a package re-exporting its modules would make
    a cycle of each of them.
    """
    parts = module.split(".") if module else []
    stem = base + "/".join(parts) if parts else base.rstrip("/")
    submodules = [found for n in names if (found := _module_at(layout, _join(stem, n)))]
    if names and len(submodules) == len(names):
        return submodules
    own = None
    for keep in range(len(parts), 0 if parts else -1, -1):
        own = _module_at(layout, base + "/".join(parts[:keep]) if keep else base.rstrip("/"))
        if own:
            break
    return [own, *submodules] if own else submodules


def _join(prefix: str, name: str) -> str:
    """Join a module path prefix and a name."""
    return f"{prefix}/{name}" if prefix else name


def _module_at(layout: Layout, stem: str) -> str | None:
    """Return the first-party module file for a path without suffix (`a/b` -> `a/b.py` or `a/b/__init__.py`)."""
    if not stem:
        return None
    for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
        if candidate in layout.files:
            return candidate
    return None
