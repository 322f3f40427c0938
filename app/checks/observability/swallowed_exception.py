"""## What it does
Flags catch-all exception handlers and `suppress(Exception)` blocks that silently drop every error.

It reports:
- a bare `except:` or `except Exception:`/`except BaseException:` (alone or in a tuple) whose body does
  nothing: `pass`, `...`, docstring-like strings, optionally ending in `continue`;
- `with contextlib.suppress(Exception):` (or `BaseException`), however `suppress` is imported.

In shipped code it is `medium`. It is `low` where dropping the error is a choice with little at stake:
test code, scripts and tooling (`scripts/`, `tools/`, `dev/`, entry points), best-effort cleanup (a
handler inside a `finally:` block, or in `__del__`, `__exit__`, `close`, `shutdown`, `cleanup`,
`teardown`, `stop`, `dispose`, `release`, `terminate`), and a guard around nothing but imports (an
optional dependency). A narrow handler (`except KeyError: pass`) is a decision, not a swallow, and is
never flagged. Ruff's `S110`, `S112` and `SIM105` are left to this check, so one swallow is one finding.

## Why is this bad?
Catching everything and doing nothing turns every bug in the guarded code (a typo, a `None`, a broken
dependency, a full disk) into silence. Nothing is logged, no metric moves, and the program carries on in
a state nobody expected; the failure surfaces later, elsewhere, without a traceback to explain it.

## Example
```python
import contextlib

def refresh(cache):
    try:
        cache.reload()
    except Exception:
        ...

def cleanup(path):
    with contextlib.suppress(Exception):
        path.unlink()
```

## Use instead
```python
import contextlib
import logging

logger = logging.getLogger(__name__)

def refresh(cache):
    try:
        cache.reload()
    except Exception:
        logger.exception("cache reload failed")

def cleanup(path):
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.dependencies.declared import DEV_SCRIPT_DIRS, in_tooling_dir
from app.checks.facts.path_roles import is_script_path, is_test_path
from app.checks.facts.pynames import call_name, dotted, import_aliases, scope_name
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("OBS002", "swallowed-exception", Domain.OBSERVABILITY, Severity.MEDIUM, __doc__, scoped=True)

BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
SUPPRESS = frozenset({"contextlib.suppress"})


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report broad handlers that do nothing and `suppress(Exception)` blocks."""
    folders = {part.lower() for part in ctx.path.split("/")[:-1]}
    relaxed = is_script_path(ctx.path) or is_test_path(ctx.path) or in_tooling_dir(ctx.path) or bool(
        folders & DEV_SCRIPT_DIRS)
    for handler in ctx.nodes(ast.ExceptHandler):
        if is_broad(handler.type) and _does_nothing(handler.body):
            kind = "bare `except:`" if handler.type is None else f"`except {_broad_name(handler.type)}`"
            low = relaxed or _best_effort(ctx, handler) or _guards_imports(ctx, handler)
            yield _finding(ctx, handler, f"{kind} drops every error silently: narrow it, log it or re-raise", low)
    aliases = import_aliases(ctx)
    with_nodes: list[ast.With | ast.AsyncWith] = [*ctx.nodes(ast.With), *ctx.nodes(ast.AsyncWith)]
    for with_node in with_nodes:
        for item in with_node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call) and call_name(expr, aliases) in SUPPRESS and _suppresses_all(expr):
                low = relaxed or _best_effort(ctx, with_node) or _only_imports(with_node.body)
                yield _finding(ctx, with_node, "`suppress(Exception)` drops every error silently: narrow it", low)


def is_broad(node: ast.expr | None) -> bool:
    """Return whether an `except` clause catches every exception (bare, `Exception`, or a tuple with it)."""
    if node is None:
        return True
    if isinstance(node, ast.Tuple):
        return any(is_broad(elt) for elt in node.elts)
    return dotted(node) in BROAD


def _broad_name(node: ast.expr) -> str:
    """Return the catch-all class an `except` clause names (`Exception` or `BaseException`)."""
    names = [dotted(n) for n in ([*node.elts] if isinstance(node, ast.Tuple) else [node])]
    return next((n.rsplit(".", 1)[-1] for n in names if n in BROAD), "Exception")


def _does_nothing(body: list[ast.stmt]) -> bool:
    """Return whether a handler body only passes, optionally ending in `continue`."""
    statements = body[:-1] if isinstance(body[-1], ast.Continue) else body
    return all(_is_no_op(stmt) for stmt in statements)


def _is_no_op(stmt: ast.stmt) -> bool:
    """Return whether a statement has no effect: `pass`, `...` or a bare constant."""
    return isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))


def _suppresses_all(call: ast.Call) -> bool:
    """Return whether a `suppress(...)` call lists a catch-all exception."""
    return any(is_broad(arg) for arg in call.args)


# Methods and functions whose errors are dropped on purpose: cleanup must not mask the real outcome.
CLEANUP_NAMES = frozenset({
    "__del__", "__exit__", "__aexit__", "close", "aclose", "shutdown", "cleanup", "clean_up", "teardown",
    "tear_down", "stop", "dispose", "release", "terminate", "disconnect", "tearDown",
})


def _best_effort(ctx: FileContext, node: ast.AST) -> bool:
    """Return whether a node is best-effort cleanup: in a `finally:` block or a cleanup function."""
    child = node
    for outer in ctx.ancestors(node):
        if isinstance(outer, (ast.Try, ast.TryStar)) and child in outer.finalbody:
            return True
        if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return outer.name in CLEANUP_NAMES or outer.name.lstrip("_").startswith(("close", "shutdown", "cleanup"))
        child = outer
    return False


def _guards_imports(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    """Return whether the handler's `try` guards nothing but imports (an optional dependency)."""
    guarded = ctx.parent(handler)
    return isinstance(guarded, (ast.Try, ast.TryStar)) and _only_imports(guarded.body)


def _only_imports(body: list[ast.stmt]) -> bool:
    """Return whether a block holds only import statements."""
    return bool(body) and all(isinstance(stmt, (ast.Import, ast.ImportFrom)) for stmt in body)


def _finding(
    ctx: FileContext, node: ast.ExceptHandler | ast.With | ast.AsyncWith, message: str, low: bool
) -> RawFinding:
    """Build a finding on a handler or `with` line, fingerprinted by its scope and text."""
    text = ctx.code_text(node.lineno).strip()
    guarded = ctx.parent(node)
    if isinstance(guarded, (ast.Try, ast.TryStar)) and guarded.body:
        # Two identical `except Exception:` lines in one function differ by the code they guard.
        text = f"{ctx.code_text(guarded.body[0].lineno).strip()} / {text}"
    return RawFinding(RULE.code, node.lineno, message, snippet=f"{scope_name(ctx, node)}:{text}",
                      severity=Severity.LOW if low else None)


CHECK = FileCheck(RULE, PYTHON, find)
