"""## What it does
Flags `print(...)` in library code: Python modules that are not tests, scripts or entry points.

A print is not flagged when it is:
- in a test, an entry point (`__main__.py`, `cli.py`, `*_cli.py`, `manage.py`, `setup.py`, `noxfile.py`,
  `tasks.py`, `conf.py`) or a file under `scripts/`, `bin/`, `tools/`, `cli/`, `commands/`, `examples/`,
  `docs/` or `benchmarks/`;
- inside an `if __name__ == "__main__":` block, a function named `main`, a function that block calls,
  or a command declared with a `@*.command`/`@*.group`/`@*.callback` decorator (click, typer);
- writing to a file object (`print(row, file=out)`), which is output, not logging.

Ruff's `T201` is not enabled in Verity; this check owns `print`.

## Why is this bad?
A service's output goes to its logs. A `print` bypasses the logging configuration: it has no level, no
logger name, no timestamp and no structured fields, cannot be silenced or routed by the application that
imports the library, and is lost or interleaved when stdout is buffered. In library code it is almost
always a leftover debugging statement, and it can leak data to a place nobody reviews.

## Example
```python
def charge(order):
    print("charging", order.id, order.total)
    return gateway.charge(order.total)
```

## Use instead
```python
import logging

logger = logging.getLogger(__name__)


def charge(order):
    logger.info("charging order", extra={"order_id": order.id})
    return gateway.charge(order.total)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.facts.path_roles import is_script_path
from app.checks.facts.pynames import dotted, is_rebound, scoped_snippet
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("OBS001", "print-in-library-code", Domain.OBSERVABILITY, Severity.LOW, __doc__, scoped=True)

CLI_DECORATORS = frozenset({"command", "group", "callback"})
STANDARD_STREAMS = frozenset({"sys.stdout", "sys.stderr"})

FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report each `print(...)` call in library code."""
    if ctx.tree is None or is_script_path(ctx.path):
        return
    prints = ctx.nodes_where(ast.Call, _calls_print)
    if not prints or is_rebound(ctx, "print"):  # most files print nothing: they skip the search for a rebinding
        return
    entry_points = _main_block_calls(ctx.tree) | {"main"}
    for call in prints:
        if _writes_to_file(call) or _in_entry_point(ctx, call, entry_points):
            continue
        yield RawFinding(
            RULE.code, call.lineno, "`print` in library code: use a logger",
            end_line=call.end_lineno or call.lineno,
            snippet=scoped_snippet(ctx, call),
        )


def _calls_print(call: ast.Call) -> bool:
    """Return whether a call is `print(...)`."""
    return isinstance(call.func, ast.Name) and call.func.id == "print"


def _writes_to_file(call: ast.Call) -> bool:
    """Return whether the print writes to a file object rather than stdout or stderr."""
    for keyword in call.keywords:
        if keyword.arg == "file":
            stdout = isinstance(keyword.value, ast.Constant) and keyword.value.value is None
            return not stdout and dotted(keyword.value) not in STANDARD_STREAMS
    return False


def _is_main_guard(node: ast.AST) -> bool:
    """Return whether a node is `if __name__ == "__main__":`."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    return has_name and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)


def _main_block_calls(tree: ast.Module) -> set[str]:
    """Return the names of the functions the module's `__main__` block calls: its entry points."""
    names: set[str] = set()
    for stmt in tree.body:
        if _is_main_guard(stmt):
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    names.add(node.func.id)
    return names


def _in_entry_point(ctx: FileContext, call: ast.Call, entry_points: set[str]) -> bool:
    """Return whether a call sits in a `__main__` block, an entry-point function or a CLI command."""
    for outer in ctx.ancestors(call):
        if _is_main_guard(outer) and isinstance(ctx.parent(outer), ast.Module):
            return True
        if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_entry_point(outer, entry_points):
            return True
    return False


def _is_entry_point(func: FunctionDef, entry_points: set[str]) -> bool:
    """Return whether a function is `main`, called by the `__main__` block, or a CLI command."""
    return func.name in entry_points or _is_cli_command(func)


def _is_cli_command(func: FunctionDef) -> bool:
    """Return whether a function is declared as a command-line command (click, typer)."""
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted(target) or ""
        if name.rsplit(".", 1)[-1] in CLI_DECORATORS and "." in name:
            return True
    return False


CHECK = FileCheck(RULE, PYTHON, find)
