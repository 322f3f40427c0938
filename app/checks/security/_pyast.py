"""Small Python syntax helpers shared by the security checks."""

from __future__ import annotations

import ast

from app.checks.base import FileContext
from app.engine.model import Severity

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
BRANCHES = (ast.If, ast.IfExp, ast.Match)


def last_name(node: ast.AST) -> str:
    """Return the last name of a dotted expression (`get` for `self.session.get`)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def on_branch(ctx: FileContext, node: ast.AST | None) -> Severity | None:
    """Return `low` when a statement runs only on a branch of its scope (an opt-in mode), else None."""
    if node is None:
        return None
    for outer in ctx.ancestors(node):
        if isinstance(outer, SCOPES):
            return None
        if isinstance(outer, BRANCHES):
            return Severity.LOW
    return None


def is_constant(node: ast.AST | None, value: bool) -> bool:
    """Return whether a node is the literal True or False."""
    return isinstance(node, ast.Constant) and node.value is value
