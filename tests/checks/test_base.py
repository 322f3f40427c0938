"""The shared per-file syntax index: every node by type, in source order, with its parent."""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Callable
from typing import Any

import pytest

from app.checks.base import LEAF_FIELDS, MAX_YAML_DEPTH, FileContext, yaml_too_deep

SOURCE = '''
import os, sys as system
from . import sibling
from pkg.mod import (a as b, c)

GLOBAL: int = 1
x = y = [i * 2 for i in range(3) if i % 2 and not i]


@decorator(arg=1)
class Thing(Base, metaclass=Meta):
    """Doc."""

    def method(self, a, /, b=2, *args, c: int = 3, **kwargs) -> str:
        global GLOBAL
        x += 1
        return f"{a!r:>{b}} and {c}" if a < b <= c else lambda q: -q


async def main():
    async with open("f") as fh, other():
        async for item in fh:
            await item
    try:
        del x[0], y.attr
    except (ValueError, KeyError) as exc:
        raise RuntimeError("no") from exc
    finally:
        pass
    match command:
        case [first, *rest] if first:
            pass
        case {"key": value, **others}:
            pass
        case Point(x=0, y=yy) | None:
            pass
    return {k: v for k, v in {**a, "b": 1}.items()}, {s for s in a}, (g for g in a), a[1:2, ::3], a @ b
'''
SHARED = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
SCALAR_TYPES = {"identifier", "string", "constant", "int"}
SINGLETON_TYPES = {"expr_context", "operator", "boolop", "unaryop", "cmpop"}


def _node_classes() -> list[type[ast.AST]]:
    """Return every concrete node class the running Python's parser builds."""
    found: list[type[ast.AST]] = []
    stack: list[type[ast.AST]] = [ast.AST]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls._fields and not (cls.__doc__ or "").startswith("Deprecated"):
            found.append(cls)
    return found


def _declared_types(cls: type[ast.AST]) -> dict[str, str]:
    """Return each field's ASDL type (`expr*`, `identifier?`), from the class's signature docstring."""
    signature = re.fullmatch(r"(\w+)\((.*)\)", (cls.__doc__ or "").strip())
    assert signature is not None, cls
    return {name: kind for kind, name in (part.split() for part in signature[2].split(", "))}


def test_leaf_fields_never_hold_a_node_the_index_keeps() -> None:
    for cls in _node_classes():
        for name, kind in _declared_types(cls).items():
            if name in LEAF_FIELDS:
                assert kind.rstrip("*?") in SCALAR_TYPES | SINGLETON_TYPES, (cls.__name__, name, kind)


def test_nodes_lists_every_node_of_a_type_in_source_order_with_its_parent() -> None:
    ctx = FileContext("a.py", SOURCE)
    assert ctx.tree is not None
    walked = [n for n in ast.walk(ctx.tree) if not isinstance(n, SHARED)]
    for kind in {type(n) for n in walked}:
        indexed = ctx.nodes(kind)
        assert sorted(map(id, indexed)) == sorted(id(n) for n in walked if type(n) is kind), kind
        positions = [(getattr(n, "lineno", 0), getattr(n, "col_offset", 0)) for n in indexed]
        assert positions == sorted(positions), kind
    for parent in walked:
        for child in ast.iter_child_nodes(parent):
            if not isinstance(child, SHARED):
                assert ctx.parent(child) is parent


def test_an_abstract_type_merges_its_kinds_in_source_order() -> None:
    ctx = FileContext("a.py", "def f():\n    return 1\nx = 2\nclass C: pass\n")
    assert [type(s).__name__ for s in ctx.nodes(ast.stmt)] == ["FunctionDef", "Return", "Assign", "ClassDef", "Pass"]
    assert ctx.nodes(ast.Load) == []  # the shared context singletons are not indexed


NODES_WHERE_SOURCE = 'x = f"a{b}c{d}e"\ny = "://one" + f"{z}://two{w}"\nprint(x.y.z, a.y)\n'
KEEPS: list[tuple[type[ast.AST], Callable[[Any], bool]]] = [
    (ast.Constant, lambda n: isinstance(n.value, str)),
    (ast.Name, lambda n: n.id != "print"),
    (ast.Attribute, lambda n: n.attr == "y"),
    (ast.expr, lambda n: isinstance(n, (ast.Name, ast.Constant))),  # an abstract type: nodes() filtered
]


@pytest.mark.parametrize(("kind", "keep"), KEEPS)
def test_nodes_where_is_nodes_filtered_in_the_same_order_ties_included(
    kind: type[ast.AST], keep: Callable[[Any], bool],
) -> None:
    # The pieces of an f-string share its position: their order among ties must not change either.
    ctx = FileContext("a.py", NODES_WHERE_SOURCE)
    kept = ctx.nodes_where(kind, keep)  # first: before nodes() sorts the whole list
    assert kept and kept == [n for n in ctx.nodes(kind) if keep(n)]
    assert ctx.nodes_where(kind, keep) == kept  # and after


def _too_deep_char_by_char(text: str) -> bool:
    """Return what `yaml_too_deep` answered when it visited every character and line (the reference)."""
    depth = 0
    for char in text:
        if char in "[{":
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return True
        elif char in "]}":
            depth = max(depth - 1, 0)
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) > 8 * MAX_YAML_DEPTH or stripped.count("- ") + stripped.count("? ") > MAX_YAML_DEPTH:
            return True
    return False


def test_yaml_too_deep_answers_as_a_visit_of_every_character_would() -> None:
    pieces = ["[", "]", "{", "}", "- ", "? ", " " * 90, "\n", "a: 1", "]]]", "[[[[", "-", " "]
    rng = random.Random(7)  # noqa: S311 (repeatable test inputs, no secret)
    texts = ["[" * 101, "[" * 100, "]" * 50 + "[" * 101, "[]" * 200, "- " * 101, "- " * 60 + "\n" + "- " * 60,
             " " * 801 + "a", " " * 800 + "a", "? " * 101, "{" * 60 + "}" * 10 + "[" * 51]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    for text in texts:
        assert yaml_too_deep(text) == _too_deep_char_by_char(text), text
