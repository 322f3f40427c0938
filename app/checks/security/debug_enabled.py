"""## What it does
Flags web application debug modes switched on in code or deployment configuration.

What it recognises:

- Python: `DEBUG = True` at module level of a Django settings module (a `settings` file or package,
  or a module defining `INSTALLED_APPS`/`ROOT_URLCONF`); `FastAPI(debug=True)`,
  `Starlette(debug=True)`, `Litestar(debug=True)`; `app.debug = True`;
  `app.config["DEBUG"] = True` and `app.config.update(DEBUG=True)`; Werkzeug's
  `run_simple(..., use_debugger=True)` and `DebuggedApplication(app, evalex=True)`; and
  `os.environ["FLASK_DEBUG"] = "1"`-style environment settings. Flask's `app.run(debug=True)` is
  ruff's S201 and is not repeated here.
- Configuration: `DEBUG`, `DJANGO_DEBUG`, `FLASK_DEBUG`, `APP_DEBUG` or `QUART_DEBUG` set to a true
  value, `FLASK_ENV=development`, and `WERKZEUG_DEBUG_PIN=off`, in Dockerfiles, YAML (compose and
  Kubernetes env lists included), JSON, TOML, `.env` files and INI or shell configuration files. Only
  these upper-case environment names count: a lower-case `debug: true` in some tool's YAML is usually
  that tool's verbosity, and `const DEBUG = true` in JavaScript is that program's constant.

It is `low` where debug mode is expected: development settings and set-ups (`settings/local.py`,
`docker-compose.override.yml`, paths under `dev/`, `examples/`, `docs/`), tests, statements that only
run on a branch, and `.env` files (usually a developer's own), unless the `.env` file is named for
production (`.env.production`, `.env.prod`). CI workflows and Markdown are not judged.

## Why is this bad?
Debug modes show stack traces, settings and sometimes an interactive console to whoever triggers an
error. Django's debug pages list settings and SQL; Werkzeug's debugger runs arbitrary Python in the
browser. Django also keeps every SQL query in memory while it is on.

## Example
```python
# myproject/settings.py
DEBUG = True
```
```dockerfile
ENV FLASK_ENV=development
```

## Use instead
```python
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
```
```dockerfile
ENV FLASK_ENV=production
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.checks.security._common import code_snippet, is_config_text, is_truthy, path_words, relaxed
from app.checks.security._pairs import Pair, pairs
from app.checks.security._pyast import last_name, on_branch
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC007", "debug-enabled", Domain.SECURITY, Severity.MEDIUM, __doc__)

DEBUG_NAMES = frozenset({"DEBUG", "DJANGO_DEBUG", "FLASK_DEBUG", "APP_DEBUG", "QUART_DEBUG"})
DEVELOPMENT_ENV_NAMES = frozenset({"FLASK_ENV", "QUART_ENV"})
APP_CONSTRUCTORS = frozenset({"FastAPI", "Starlette", "Litestar", "Starlite"})
# Every call `_call` may report: the app constructors, `config.update`, Werkzeug's debugger.
DEBUG_CALLS = APP_CONSTRUCTORS | {"update", "from_mapping", "run_simple", "DebuggedApplication"}
DJANGO_MARKERS = frozenset({"INSTALLED_APPS", "ROOT_URLCONF"})
PRODUCTION_WORDS = frozenset({"prod", "production", "live", "release"})
SKIPPED_KINDS = frozenset({"markdown", "workflow", "requirements"})


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report debug modes switched on."""
    if ctx.kind in SKIPPED_KINDS or ctx.path.endswith(".pyi"):
        return
    if ctx.kind == "text" and not is_config_text(ctx.name):
        return  # `DEBUG = true` in JavaScript or C is a constant of that program, not its environment
    context = _context(ctx)
    seen: set[int] = set()
    for line, what, severity in _evidence(ctx):
        if line not in seen:
            seen.add(line)
            yield RawFinding(
                RULE.code, line, f"{what} turns debug mode on; drive it from the environment and keep it off "
                "in deployments", snippet=code_snippet(what, ctx.code_text(line)), severity=severity or context,
            )


def _context(ctx: FileContext) -> Severity | None:
    """Return `low` for development set-ups, and for `.env` files not named for production."""
    if ctx.kind == "env" and not (path_words(ctx.name) & PRODUCTION_WORDS):
        return Severity.LOW
    return relaxed(ctx.path)


def _evidence(ctx: FileContext) -> Iterator[tuple[int, str, Severity | None]]:
    """Yield (line, what, severity override) for each debug switch in the file."""
    if ctx.kind == "python":
        yield from _python(ctx)
    for pair in pairs(ctx):
        if ctx.kind == "python" and pair.origin not in ("subscript", "call"):
            continue  # in Python only `os.environ[...] = ` and `setdefault(...)` set the environment
        what = _env_setting(pair)
        if what:
            yield pair.line, what, on_branch(ctx, pair.node)


def _env_setting(pair: Pair) -> str:
    """Return the environment setting when it turns debug mode on, else an empty string."""
    key, value = pair.key, pair.value.strip().lower()
    if key in DEBUG_NAMES and is_truthy(value):
        return f"`{key}`"
    if (key in DEVELOPMENT_ENV_NAMES and value == "development") or (key == "WERKZEUG_DEBUG_PIN" and value == "off"):
        return f"`{key}={pair.value.strip()}`"
    return ""


def _python(ctx: FileContext) -> Iterator[tuple[int, str, Severity | None]]:
    """Yield the Python debug switches."""
    tree = ctx.tree
    if tree is not None and _is_settings_module(ctx, tree):
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and _is_true(stmt.value) and _assigns_name(stmt.targets, "DEBUG"):
                yield stmt.lineno, "`DEBUG = True` in a settings module", None
    for assign in ctx.nodes(ast.Assign):
        if _is_true(assign.value) and any(_is_debug_target(t) for t in assign.targets):
            yield assign.lineno, "setting the application's debug flag", on_branch(ctx, assign)
    for call in ctx.nodes(ast.Call):
        what = _call(call)
        if what:
            yield call.lineno, what, on_branch(ctx, call)


def _is_settings_module(ctx: FileContext, tree: ast.Module) -> bool:
    """Return whether a Python file is a settings module (by name, or by Django's required settings)."""
    folders = ctx.path.lower().split("/")[:-1]
    if "settings" in ctx.name.lower() or "settings" in folders:
        return True
    return any(isinstance(stmt, ast.Assign) and _assigns_name(stmt.targets, *DJANGO_MARKERS) for stmt in tree.body)


def _assigns_name(targets: list[ast.expr], *names: str) -> bool:
    """Return whether an assignment binds one of the names."""
    return any(isinstance(t, ast.Name) and t.id in names for t in targets)


def _is_true(node: ast.AST | None) -> bool:
    """Return whether a node is the literal True."""
    return isinstance(node, ast.Constant) and node.value is True


def _is_debug_target(target: ast.AST) -> bool:
    """Return whether a target is `<app>.debug` or `<app>.config["DEBUG"]`."""
    if isinstance(target, ast.Attribute) and target.attr == "debug":
        owner = last_name(target.value).lower()
        return owner.endswith(("app", "application", "server"))
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute):
        index = target.slice
        is_debug_key = isinstance(index, ast.Constant) and index.value == "DEBUG"
        return is_debug_key and target.value.attr == "config"
    return False


def _call(call: ast.Call) -> str:
    """Return the debug switch a call passes, if any."""
    name = last_name(call.func)
    if name not in DEBUG_CALLS or not call.keywords:
        return ""  # the common case, spared the set of switches below
    switches = {kw.arg for kw in call.keywords if _is_true(kw.value)}
    if name in APP_CONSTRUCTORS and "debug" in switches:
        return f"`{name}(debug=True)`"
    if name in ("update", "from_mapping") and "DEBUG" in switches and _is_config(call.func):
        return "`config.update(DEBUG=True)`"
    if name == "run_simple" and switches & {"use_debugger", "use_evalex"}:
        return "Werkzeug's interactive debugger"
    if name == "DebuggedApplication" and "evalex" in switches:
        return "Werkzeug's interactive debugger console"
    return ""


def _is_config(func: ast.AST) -> bool:
    """Return whether a method is called on something named `config`."""
    return isinstance(func, ast.Attribute) and last_name(func.value) == "config"




CHECK = FileCheck(RULE, ANY_TEXT, find)
