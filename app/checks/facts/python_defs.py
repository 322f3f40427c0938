"""Extractor `python.defs`: the classes and functions a module defines at top level.

Each entry is `{"name", "line", "kind", "size", "parts"}`: `kind` is `class` or `def`, `size` the
number of statements of its body (docstring aside) and `parts` short hashes of its pieces (the
signature or base list, then each body statement), free of line numbers and docstrings, so that
two definitions can be compared for copy-and-paste without storing their text.
"""

from __future__ import annotations

import ast
import copy
import hashlib
from typing import Any

from app.checks.base import PYTHON, Extractor, FileContext

KEY = "python.defs"
MAX_PARTS = 64  # enough to compare two definitions; keeps the cached facts small

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def extract(ctx: FileContext) -> list[dict[str, Any]]:
    """Return the top-level class and function definitions of a Python file."""
    if ctx.tree is None:
        return []
    found: list[dict[str, Any]] = []
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(_describe(stmt))
    return found


def _describe(node: Definition) -> dict[str, Any]:
    """Return one definition's entry."""
    body = _without_docstring(node.body)
    try:
        parts = [_header_hash(node), *(_hash(_stripped(s)) for s in body[: MAX_PARTS - 1])]
    except RecursionError:
        # Hostile nesting too deep to hash: no parts, so the definition never matches another one.
        body, parts = [], []
    kind = "class" if isinstance(node, ast.ClassDef) else "def"
    return {"name": node.name, "line": node.lineno, "kind": kind, "size": len(body), "parts": parts}


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    """Return a block's statements without its leading docstring."""
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return body[1:]
    return body


def _header_hash(node: Definition) -> str:
    """Return the hash of what a definition declares before its body: signature or bases, decorators."""
    if isinstance(node, ast.ClassDef):
        pieces: list[ast.AST] = [*node.bases, *node.keywords, *node.decorator_list]
    else:
        pieces = [node.args, *node.decorator_list]
        if node.returns is not None:
            pieces.append(node.returns)
    kind = type(node).__name__
    return _digest(kind + "|" + "|".join(ast.dump(p) for p in pieces))


def _stripped(stmt: ast.stmt) -> ast.stmt:
    """Return a nested definition without its docstring, so documenting a copy does not hide it."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        body = _without_docstring(stmt.body)
        if len(body) != len(stmt.body):
            clone = copy.copy(stmt)
            clone.body = body or [ast.Pass()]
            return clone
    return stmt


def _hash(stmt: ast.stmt) -> str:
    """Return a short hash of a statement's structure (line numbers are not part of `ast.dump`)."""
    return _digest(ast.dump(stmt))


def _digest(text: str) -> str:
    """Return 8 hex digits of a text's hash."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


EXTRACTOR = Extractor(KEY, PYTHON, extract)
