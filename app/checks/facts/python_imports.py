"""Extractor `python.imports`: every import statement of a Python file, with where it sits.

Data: a list with one entry per imported module, in line order:

```
{"module": "a.b",      # the dotted module as written, without leading dots ("" for `from . import x`)
 "names": ["c", "d"],  # for `from a.b import c, d` the names imported ("*" for a star); [] for `import a.b`
 "aliases": {"e": "d"},  # for `from a.b import d as e`: each name an `as` binds, to the name imported
                        # ({} for `import a.b`; `from m import x as x` gives {"x": "x"}, a re-export)
 "level": 0,           # relative import level: 0 absolute, 1 for `from .`, 2 for `from ..`
 "line": 12,
 "type_checking": False,  # under `if TYPE_CHECKING:` (never runs)
 "optional": False,    # in a `try` (or its `else`) whose handlers catch ImportError (or broader), in
                       # such a handler, under `with suppress(ImportError)`, or in the body of an `if`
                       # that probes for a module (`find_spec`, `find_loader`): the code runs without it
 "local": False}       # inside a function body (imported lazily, when the function runs)
```

`import a, b` gives two entries. A file that does not parse gives an empty list. Use
`absolute_module` to resolve a relative entry from the importing file's path, and `imported_modules`
for every dotted name an entry may import (`from a import b` may import the module `a.b`).
"""

from __future__ import annotations

import ast
from typing import Any

from app.checks.base import PYTHON, Extractor, FileContext
from app.checks.facts.pynames import dotted

KEY = "python.imports"

# Handlers that catch a failed import: a module imported under them is optional.
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# The engine runs extractors unguarded: hostile input must yield "nothing known", never an exception.
HOSTILE_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)


def extract(ctx: FileContext) -> list[dict[str, Any]]:
    """Return every import of a Python file with its line and flags (none when the file defeats analysis)."""
    try:
        return _imports(ctx)
    except HOSTILE_ERRORS:
        return []


def _imports(ctx: FileContext) -> list[dict[str, Any]]:
    """Return every import of a Python file with its line and flags."""
    entries: list[dict[str, Any]] = []
    for imp in ctx.nodes(ast.Import):
        flags = _flags(ctx, imp)
        entries.extend({"module": alias.name, "names": [], "aliases": {}, "level": 0, "line": imp.lineno, **flags}
                       for alias in imp.names)
    for node in ctx.nodes(ast.ImportFrom):
        names = [alias.name for alias in node.names]
        # `from m import x as x` is how a module says it re-exports x: keep the `as`, even when it renames nothing.
        aliases = {alias.asname: alias.name for alias in node.names if alias.asname}
        entries.append(
            {"module": node.module or "", "names": names, "aliases": aliases, "level": node.level,
             "line": node.lineno, **_flags(ctx, node)}
        )
    entries.sort(key=lambda e: (e["line"], e["module"]))
    return entries


def _flags(ctx: FileContext, node: ast.AST) -> dict[str, bool]:
    """Return whether an import is type-checking only, optional, or local to a function."""
    type_checking = optional = local = False
    child = node
    for outer in ctx.ancestors(node):
        if isinstance(outer, ast.If) and _type_checking_branch(outer, child):
            type_checking = True
        elif _guards_import(outer, child):
            optional = True
        elif isinstance(outer, FUNCTIONS):
            local = True
        child = outer
    return {"type_checking": type_checking, "optional": optional, "local": local}


def _guards_import(outer: ast.AST, child: ast.AST) -> bool:
    """Return whether a statement lets the code below it run when an import fails."""
    if isinstance(outer, ast.Try):
        # The `else:` of such a try runs only when the guarded import worked: it is optional too.
        guarded = [*outer.body, *outer.orelse]
        return any(child is s for s in guarded) and _catches_import(outer)
    if isinstance(outer, ast.ExceptHandler):
        return _handler_catches_import(outer)
    if isinstance(outer, (ast.With, ast.AsyncWith)):
        return any(_suppresses_import(item.context_expr) for item in outer.items)
    if isinstance(outer, ast.If):
        return any(child is s for s in outer.body) and _looks_for_module(outer.test)
    return False


# Calls that tell whether a module can be imported without importing it.
MODULE_PROBES = frozenset({"find_spec", "find_loader", "find_module"})


def _looks_for_module(test: ast.expr) -> bool:
    """Return whether an `if` test asks whether a module is installed (`if importlib.util.find_spec("x"):`).

    joke2k/django-environ imports simplejson under `if pkgutil.find_loader('simplejson'):`.
    """
    calls = [node for node in ast.walk(test) if isinstance(node, ast.Call)]
    return any((dotted(call.func) or "").rsplit(".", 1)[-1] in MODULE_PROBES for call in calls)


def _type_checking_branch(node: ast.If, child: ast.AST) -> bool:
    """Return whether `child` sits in the branch of an `if` that only type checkers see."""
    test = node.test
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    name = dotted(test.operand if isinstance(test, ast.UnaryOp) else test)
    if name is None or name.rsplit(".", 1)[-1] != "TYPE_CHECKING":
        return False
    branch = node.orelse if negated else node.body
    return any(child is stmt for stmt in branch)


def _catches_import(node: ast.Try) -> bool:
    """Return whether a try statement has a handler that catches a failed import."""
    return any(_handler_catches_import(handler) for handler in node.handlers)


def _handler_catches_import(handler: ast.ExceptHandler) -> bool:
    """Return whether an except clause catches ImportError (bare, broad or named)."""
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_exception_name(t) in IMPORT_ERRORS for t in types)


def _suppresses_import(expr: ast.AST) -> bool:
    """Return whether a context manager is `suppress(ImportError)` or similar."""
    if not isinstance(expr, ast.Call):
        return False
    name = dotted(expr.func)
    if name is None or name.rsplit(".", 1)[-1] != "suppress":
        return False
    return any(_exception_name(arg) in IMPORT_ERRORS for arg in expr.args)


def _exception_name(node: ast.AST) -> str:
    """Return the last part of an exception's dotted name, or an empty string."""
    name = dotted(node)
    return name.rsplit(".", 1)[-1] if name else ""


def absolute_module(path: str, entry: dict[str, Any]) -> str | None:
    """Return an entry's module as a dotted name from the repository root (None if it climbs out).

    Absolute imports are returned as written. A relative import is resolved against the importing
    file's directories, so `from .b import c` in `src/pkg/a.py` gives `src.pkg.b`: match it against
    path-derived names, not against names seen from a `src/` root.
    """
    level = int(entry.get("level", 0))
    module = str(entry.get("module", ""))
    if level == 0:
        return module
    package = path.split("/")[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    parts = [*base, *([module] if module else [])]
    return ".".join(parts) if parts else None


def imported_modules(path: str, entry: dict[str, Any]) -> list[str]:
    """Return every dotted module an import may load: the module itself and, for a from-import, each name under it."""
    module = absolute_module(path, entry)
    if module is None:
        return []
    found = [module] if module else []
    found.extend(f"{module}.{name}" if module else name for name in entry.get("names", []) if name != "*")
    return found


EXTRACTOR = Extractor(KEY, PYTHON, extract)
