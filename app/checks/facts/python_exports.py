"""Extractor `python.all` and `Exports`: which definitions a module exports, through its re-exports.

Data of `python.all`: the names a module's `__all__` lists, in order, or None when the module never
assigns `__all__`. Read from module-level `__all__ = [...]` (a list, a tuple or a sum of them),
`__all__: list[str] = [...]`, `__all__ += [...]`, `__all__.extend([...])` and `__all__.append("x")`,
in `if`, `try` and `with` blocks too (every branch's names count). Only string literals are read: a
name computed at run time (`__all__ = other.__all__`) is unknown, so the list errs on the short side.

`Exports(view)` follows a module's exported names to the public definitions behind them, from the
per-file facts only (`python.all`, `python.imports` and `python.docstrings`; the code is never run).
What a module exports follows the typing convention for re-exports (PEP 484, and type checkers'
rules for `py.typed` packages): the names of its `__all__` when it has one; otherwise its own public
definitions, the names it imports as `from m import x as x`, and what its `from m import *` imports
export in turn. A plain `from m import x` without `__all__` re-exports nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from app.checks.base import PYTHON, Extractor, FileContext, RepoView
from app.checks.facts import python_docstrings, python_imports
from app.checks.facts.python_modules import module_index
from app.checks.facts.python_paths import is_stub

KEY = "python.all"
ALL = "__all__"
# Re-export chains this long are hostile or cyclic: real packages re-export through a few modules.
MAX_CHAIN = 32
# The engine runs extractors unguarded: hostile input must yield "nothing known", never an exception.
HOSTILE_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)

Origin = tuple[str, str]  # (path of the module that defines a name, the name it defines there)


def extract(ctx: FileContext) -> list[str] | None:
    """Return the names a module's `__all__` lists, or None when it has no `__all__`."""
    if ctx.tree is None:
        return None
    try:
        return _all_names(ctx.tree.body)
    except HOSTILE_ERRORS:
        return None


def _all_names(body: list[ast.stmt]) -> list[str] | None:
    """Return the string literals assigned or added to `__all__` at module level, or None if none is."""
    found: dict[str, None] | None = None  # a dict keeps the names' order and drops repeats
    for stmt in _module_level(body):
        value = _all_value(stmt)
        if value is not None:
            found = found if found is not None else {}
            found.update(dict.fromkeys(_literal_strings(value)))
    return None if found is None else list(found)


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield the statements that run at module level, looking into `if`, `try` and `with` blocks."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _module_level(stmt.body)
            yield from _module_level(stmt.orelse)
        elif isinstance(stmt, (ast.Try, ast.TryStar)):
            for block in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):
                yield from _module_level(block)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _module_level(stmt.body)
        else:
            yield stmt


def _all_value(stmt: ast.stmt) -> ast.expr | None:
    """Return the expression a statement assigns or adds to `__all__`, or None when it does not touch it."""
    if isinstance(stmt, ast.Assign) and any(_is_all(t) for t in stmt.targets):
        return stmt.value
    if isinstance(stmt, ast.AnnAssign) and _is_all(stmt.target):
        return stmt.value or ast.List(elts=[])
    if isinstance(stmt, ast.AugAssign) and _is_all(stmt.target):
        return stmt.value
    if isinstance(stmt, ast.Expr) and isinstance(call := stmt.value, ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute) and _is_all(func.value) and func.attr in ("extend", "append"):
            return ast.List(elts=list(call.args))
    return None


def _is_all(node: ast.expr) -> bool:
    """Return whether an expression is the name `__all__`."""
    return isinstance(node, ast.Name) and node.id == ALL


def _literal_strings(node: ast.expr) -> list[str]:
    """Return the string literals of a list, tuple or sum of them (a single string counts as one name)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [name for elt in node.elts for name in _literal_strings(elt)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_strings(node.left) + _literal_strings(node.right)
    return []


EXTRACTOR = Extractor(KEY, PYTHON, extract)


class Exports:
    """Resolves the names modules export to the definitions behind them, across a snapshot's files."""

    def __init__(self, view: RepoView) -> None:
        self._view = view
        self._exported: dict[str, dict[str, frozenset[Origin]]] = {}
        self._resolved: dict[Origin, frozenset[Origin]] = {}
        self._bindings: dict[str, dict[str, list[tuple[dict[str, Any], str]]]] = {}
        self._definitions: dict[str, set[str]] = {}
        self._from_imports: dict[str, list[dict[str, Any]]] = {}
        self._busy: set[Origin] = set()  # what is being resolved now: cuts import cycles

    def exported(self, path: str) -> dict[str, frozenset[Origin]]:
        """Return the names a module exports, each with the definitions it stands for (none when not in the repo)."""
        cached = self._exported.get(path)
        if cached is not None:
            return cached
        key = (path, "*")
        if key in self._busy or len(self._busy) > MAX_CHAIN:
            return {}
        self._busy.add(key)
        try:
            found = self._exports_of(path)
        finally:
            self._busy.discard(key)
        self._exported[path] = found
        return found

    def _exports_of(self, path: str) -> dict[str, frozenset[Origin]]:
        """Return a module's exports: its `__all__`, else its definitions, `as` re-exports and star imports."""
        declared = self._view.data(path, KEY)
        if isinstance(declared, list):
            return {name: self.resolve(path, name) for name in declared if isinstance(name, str)}
        found: dict[str, set[Origin]] = {name: {(path, name)} for name in self._defined(path)}
        for entry in self._imports(path):
            for bound, original in entry.get("aliases", {}).items():
                if bound == original:  # `from m import x as x`: an explicit re-export
                    found.setdefault(bound, set()).update(self._imported(path, entry, original))
            if "*" in entry["names"]:
                for source in self._sources(path, entry):
                    for name, origins in self.exported(source).items():
                        found.setdefault(name, set()).update(origins)
        return {name: frozenset(origins) for name, origins in found.items() if not name.startswith("_")}

    def resolve(self, path: str, name: str) -> frozenset[Origin]:
        """Return the definitions a name of a module stands for: its own, an import's, or a star import's."""
        key = (path, name)
        cached = self._resolved.get(key)
        if cached is not None:
            return cached
        if key in self._busy or len(self._busy) > MAX_CHAIN:
            return frozenset()
        self._busy.add(key)
        try:
            found = self._resolve(path, name)
        finally:
            self._busy.discard(key)
        self._resolved[key] = found
        return found

    def _resolve(self, path: str, name: str) -> frozenset[Origin]:
        """Resolve a name bound in a module (see `resolve`); star imports only when nothing else binds it."""
        found: set[Origin] = {(path, name)} if name in self._defined(path) else set()
        imports = self._bound(path).get(name, [])
        for entry, original in imports:
            found |= self._imported(path, entry, original)
        if not found and not imports:
            for entry in self._imports(path):
                if "*" in entry["names"]:
                    for source in self._sources(path, entry):
                        found |= self.exported(source).get(name, frozenset())
        return frozenset(found)

    def _imported(self, path: str, entry: dict[str, Any], original: str) -> frozenset[Origin]:
        """Return the definitions `from module import original` brings into a module."""
        found: set[Origin] = set()
        for source in self._sources(path, entry):
            found |= self.resolve(source, original)
        return frozenset(found)

    def _bound(self, path: str) -> dict[str, list[tuple[dict[str, Any], str]]]:
        """Return the names a module's from-imports bind, each with its imports and the name each imports."""
        cached = self._bindings.get(path)
        if cached is None:
            cached = {}
            for entry in self._imports(path):
                for bound, original in bindings(entry):
                    cached.setdefault(bound, []).append((entry, original))
            self._bindings[path] = cached
        return cached

    def _defined(self, path: str) -> set[str]:
        """Return the public names a module defines (functions and classes, conditional ones included)."""
        cached = self._definitions.get(path)
        if cached is None:
            entries = self._view.data(path, python_docstrings.KEY) or []
            cached = {str(qualname) for qualname, _documented in entries if "." not in str(qualname)}
            self._definitions[path] = cached
        return cached

    def _imports(self, path: str) -> list[dict[str, Any]]:
        """Return a module's module-level from-imports (those in functions bind nothing the module exports)."""
        cached = self._from_imports.get(path)
        if cached is None:
            entries = self._view.data(path, python_imports.KEY) or []
            cached = [e for e in entries if e["names"] and not e["local"]]
            self._from_imports[path] = cached
        return cached

    def _sources(self, path: str, entry: dict[str, Any]) -> list[str]:
        """Return the repository's module files a from-import reads, sources before stubs."""
        level, module = int(entry["level"]), str(entry["module"])
        candidates = _relative_files(path, level, module) if level else sorted(module_index(self._view).resolve(module))
        present = [p for p in candidates if p in self._view.files and p != path]
        sources = [p for p in present if not is_stub(p)]
        return sources or present


def bindings(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the `(bound name, imported name)` pairs of a from-import entry of `python.imports` (stars aside)."""
    aliases: dict[str, str] = entry.get("aliases", {})
    renamed = set(aliases.values())
    plain = [(name, name) for name in entry["names"] if name != "*" and name not in renamed]
    return [*aliases.items(), *plain]


def _relative_files(path: str, level: int, module: str) -> list[str]:
    """Return the files a relative import may name, by path: `from ._x import y` in `pkg/a.py` -> `pkg/_x.py`.

    Relative imports are resolved by folder, not by dotted name, so folders that are not identifiers
    (`my-project/src/pkg`) resolve too.
    """
    folders = path.split("/")[:-1]
    if level - 1 > len(folders):
        return []
    base = folders[: len(folders) - (level - 1)]
    stem = "/".join([*base, *module.split(".")]) if module else "/".join(base)
    package = f"{stem}/__init__" if stem else "__init__"
    modules = [f"{stem}.py", f"{stem}.pyi"] if module else []
    return [*modules, f"{package}.py", f"{package}.pyi"]
