"""## What it does
Flags error logs in an `except` block that drop the exception's traceback.

It reports, when nothing else in the block keeps the traceback:
- `logger.error(...)`, `logger.critical(...)` or `logger.fatal(...)` without `exc_info=`;
- `logger.warning(...)` without `exc_info=`, only under a catch-all (`except:`, `except Exception:`),
  where the type of the failure is unknown and the traceback is the only evidence of where it came from.

The block is left alone when it re-raises (`raise`, `raise ... from e`, or a new exception, which
chains this one), when it logs with `logger.exception(...)` or `exc_info=` elsewhere, when it calls a
traceback or error-reporting helper (`traceback.format_exc()`, `sentry_sdk.capture_exception(e)`), or
when it hands the exception object on to other code (`errors.append(e)`, `future.set_exception(e)`),
which keeps the traceback. Only turning the exception into text (`str(e)`, `f"{e}"`, `"%s" % e`, or
passing it to the logging call) loses it.

A logger is `logging` itself or any name ending in `log` or `logger` (`log`, `self._logger`,
`app.logger`, `logging.getLogger(...)`). Tests, scripts and command-line entry points (the files
`print-in-library-code` leaves alone) are skipped: their error lines are messages for a person at a
terminal, where a traceback is noise.

## Why is this bad?
The message says that something failed; the traceback says where and why. Without it, an operator
holding a log line such as `payment failed: 'NoneType' object is not subscriptable` cannot find the
line that raised, and must wait for the failure to happen again with more logging.

## Example
```python
try:
    charge(order)
except Exception as exc:
    logger.error("payment failed: %s", exc)
    return None
```

## Use instead
```python
try:
    charge(order)
except Exception:
    logger.exception("payment failed")
    return None
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.facts.path_roles import is_script_path
from app.checks.facts.pynames import SCOPES, dotted, import_aliases, qualified, scoped_snippet
from app.checks.observability.swallowed_exception import is_broad
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("OBS003", "exception-logged-without-traceback", Domain.OBSERVABILITY, Severity.LOW, __doc__, scoped=True)

ERROR_LEVELS = frozenset({"error", "critical", "fatal"})
WARNING_LEVELS = frozenset({"warning", "warn"})
LOGGER_NAME = re.compile(r"(?:^|_)(?:log|logger|logging)$|logger$", re.IGNORECASE)
LOGGER_FACTORIES = frozenset({"getLogger", "get_logger", "getChild"})
# Calls that capture or print the current traceback.
TRACEBACK_KEEPERS = frozenset({"format_exc", "print_exc", "format_exception", "print_exception", "print_tb",
                               "format_tb", "print_stack"})
STRINGIFIERS = frozenset({"str", "repr", "type", "format"})


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report error logs in `except` blocks that drop the traceback."""
    if is_script_path(ctx.path):
        return
    aliases = import_aliases(ctx)
    for handler in ctx.nodes(ast.ExceptHandler):
        nodes = list(_handler_nodes(handler))
        if _keeps_traceback(nodes, handler, aliases):
            continue
        levels = ERROR_LEVELS | WARNING_LEVELS if is_broad(handler.type) else ERROR_LEVELS
        for call in nodes:
            if isinstance(call, ast.Call) and _logs_without_traceback(call, levels, aliases):
                yield RawFinding(
                    RULE.code, call.lineno, "exception logged without its traceback: use "
                    "`logger.exception(...)` or pass `exc_info=True`",
                    end_line=call.end_lineno or call.lineno,
                    snippet=scoped_snippet(ctx, call),
                )


def _handler_nodes(handler: ast.ExceptHandler) -> Iterator[ast.AST]:
    """Yield the nodes a handler runs itself: not nested functions, classes or inner handlers."""
    stack: list[ast.AST] = [handler]
    while stack:
        node = stack.pop()
        if node is not handler:
            yield node
        stack.extend(child for child in reversed(list(ast.iter_child_nodes(node)))
                     if not isinstance(child, (*SCOPES, ast.ExceptHandler)))


def _keeps_traceback(nodes: list[ast.AST], handler: ast.ExceptHandler, aliases: dict[str, str]) -> bool:
    """Return whether the block re-raises, logs the traceback, or hands the exception on."""
    for node in nodes:
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and _captures_traceback(node):
            return True
    return handler.name is not None and _hands_on(nodes, handler.name, aliases)


def _captures_traceback(call: ast.Call) -> bool:
    """Return whether a call records the traceback (`exc_info=`, `.exception(...)`, traceback helpers)."""
    if any(k.arg == "exc_info" for k in call.keywords):
        return True
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    return name.endswith("exception") or name in TRACEBACK_KEEPERS


def _hands_on(nodes: list[ast.AST], name: str, aliases: dict[str, str]) -> bool:
    """Return whether the exception object is used other than by turning it into text."""
    parents = {id(child): node for node in nodes for child in ast.iter_child_nodes(node)}
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
        and not _stringified(node, parents, aliases)
        for node in nodes
    )


def _stringified(node: ast.AST, parents: dict[int, ast.AST], aliases: dict[str, str]) -> bool:
    """Return whether a use of the exception only turns it into text (for a message)."""
    child, parent = node, parents.get(id(node))
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.JoinedStr):
            return True
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mod) and _is_text(parent.left):
            return True
        if isinstance(parent, ast.Call) and _formats(parent, child, aliases):
            return True
        child, parent = parent, parents.get(id(parent))
    return False


def _formats(call: ast.Call, child: ast.AST, aliases: dict[str, str]) -> bool:
    """Return whether a call only renders its argument as text: str(), repr(), a log, `"..".format`."""
    if child is call.func:
        return False
    if isinstance(call.func, ast.Name) and call.func.id in STRINGIFIERS:
        return True
    if isinstance(call.func, ast.Attribute) and call.func.attr == "format" and _is_text(call.func.value):
        return True
    return _is_logger_call(call, aliases)


def _is_text(node: ast.AST) -> bool:
    """Return whether an expression is a string literal."""
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _logs_without_traceback(call: ast.Call, levels: frozenset[str], aliases: dict[str, str]) -> bool:
    """Return whether a call logs at one of the levels with no `exc_info` (and no `**kwargs`)."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in levels:
        return False
    if any(k.arg is None or k.arg == "exc_info" for k in call.keywords):
        return False
    return _is_logger_call(call, aliases)


def _is_logger_call(call: ast.Call, aliases: dict[str, str]) -> bool:
    """Return whether a call is a method of the logging module or of a logger object."""
    if not isinstance(call.func, ast.Attribute):
        return False
    receiver = call.func.value
    if isinstance(receiver, ast.Call):
        factory = (dotted(receiver.func) or "").rsplit(".", 1)[-1]
        return factory in LOGGER_FACTORIES
    if qualified(receiver, aliases) == "logging":
        return True
    name = dotted(receiver)
    return name is not None and bool(LOGGER_NAME.search(name.rsplit(".", 1)[-1]))


CHECK = FileCheck(RULE, PYTHON, find)
