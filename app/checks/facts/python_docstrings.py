"""Extractor `python.docstrings`: whether each public function, class and method has a docstring.

The data is a list of `[qualname, documented]` pairs, one per public definition, in source order:
module-level functions and classes (`name`) and the methods of public classes (`Class.method`).
A name defined several times (a property's getter and setter, conditional definitions) appears
once per definition; the docs metric merges them. A file that declares itself generated gives an
empty list.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, Extractor, FileContext
from app.checks.facts.python_paths import has_generated_header

KEY = "python.docstrings"

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
# Decorators whose function carries no documentation of its own: an overload's documentation lives
# on the implementation, a setter's or deleter's on the property getter, an override's on the base.
UNDOCUMENTED_DECORATORS = frozenset({"overload", "setter", "deleter", "override"})


def extract(ctx: FileContext) -> list[list[str | bool]]:
    """Return `[qualname, documented]` for every public definition of a Python file."""
    if ctx.tree is None or has_generated_header(ctx.lines):
        return []  # nobody writes the docstrings of generated code
    found: list[list[str | bool]] = []
    for node in _definitions(ctx.tree.body):
        if not _is_public(node):
            continue
        found.append([node.name, ast.get_docstring(node, clean=False) is not None])
        if isinstance(node, ast.ClassDef):
            for method in _definitions(node.body):
                if _is_public(method) and not isinstance(method, ast.ClassDef):
                    documented = ast.get_docstring(method, clean=False) is not None
                    found.append([f"{node.name}.{method.name}", documented])
    return found


def _definitions(body: list[ast.stmt]) -> Iterator[Definition]:
    """Yield the definitions of a block, looking into `if`, `try` and `with` blocks at the same level."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt
        elif isinstance(stmt, ast.If):
            yield from _definitions(stmt.body)
            yield from _definitions(stmt.orelse)
        elif isinstance(stmt, (ast.Try, ast.TryStar)):
            for block in (stmt.body, stmt.orelse, stmt.finalbody, *(h.body for h in stmt.handlers)):
                yield from _definitions(block)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _definitions(stmt.body)


def _is_public(node: Definition) -> bool:
    """Return whether a definition is public API that owes a docstring."""
    if node.name.startswith("_"):
        return False
    return not any(_decorator_name(d) in UNDOCUMENTED_DECORATORS for d in node.decorator_list)


def _decorator_name(node: ast.expr) -> str:
    """Return the last name of a decorator (`typing.overload` -> `overload`, `x.setter` -> `setter`)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


EXTRACTOR = Extractor(KEY, PYTHON, extract)
