"""Extractor `python.main_guard`: the line ranges of top-level `if __name__ == "__main__":` blocks.

Code in such a block runs when the file is executed as a script, never when it is imported, so the
imports it holds are not import-time dependencies (a demo at the bottom of a module importing the
module that imports it is not an import cycle). The data is a list of `[first_line, last_line]`.
"""

from __future__ import annotations

import ast

from app.checks.base import PYTHON, Extractor, FileContext

KEY = "python.main_guard"


def extract(ctx: FileContext) -> list[list[int]]:
    """Return `[first, last]` lines of every top-level `__main__` guard of a Python file."""
    if ctx.tree is None:
        return []
    return [
        [stmt.lineno, stmt.end_lineno or stmt.lineno]
        for stmt in ctx.tree.body
        if isinstance(stmt, ast.If) and is_main_test(stmt.test)
    ]


def is_main_test(test: ast.expr) -> bool:
    """Return whether a condition is `__name__ == "__main__"` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


EXTRACTOR = Extractor(KEY, PYTHON, extract)
