"""Extractor `python.web`: the web apps a Python file creates, the routes it declares, its metrics.

The data is `{"apps": [[framework, line], ...], "routes": [path, ...], "metrics": [evidence, ...]}`,
each key present only when non-empty, so most files store `{}`.
"""

from __future__ import annotations

import ast
from typing import Any

from app.checks.base import PYTHON, Extractor, FileContext
from app.checks.facts.pynames import import_aliases, qualified

KEY = "python.web"

# Constructors of web application objects, by dotted name; the framework is the first component.
APP_CONSTRUCTORS = frozenset({
    "fastapi.FastAPI", "fastapi.applications.FastAPI",
    "starlette.applications.Starlette",
    "flask.Flask", "quart.Quart", "sanic.Sanic",
    "litestar.Litestar", "starlite.Starlite",
    "aiohttp.web.Application", "aiohttp.web_app.Application",
    "falcon.App", "falcon.API", "falcon.asgi.App",
    "bottle.Bottle", "tornado.web.Application",
    "connexion.App", "connexion.FlaskApp", "connexion.AsyncApp",
    "blacksheep.Application", "robyn.Robyn",
})
FRAMEWORKS = frozenset(name.split(".", 1)[0] for name in APP_CONSTRUCTORS) | {"django"}

# `@app.get("/x")` and friends: HTTP verbs count only as decorators (`client.get("/x")` is a request).
VERB_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "websocket", "api_route"})
# Methods that declare a route whether called or used as a decorator.
ROUTE_METHODS = frozenset({
    "route", "add_route", "add_api_route", "add_url_rule", "add_get", "add_post", "add_put",
    "add_patch", "add_delete", "add_head", "add_api_websocket_route", "add_websocket_route", "add_resource",
})
# Callables of a framework that take the route path first (`Route("/x", f)`, `web.get("/x", f)`).
ROUTE_CALLABLES = VERB_METHODS | ROUTE_METHODS | {"Route", "WebSocketRoute", "APIRoute", "url"}
DJANGO_ROUTES = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
PATH_KEYWORDS = ("path", "rule", "route", "uri")

# Importing any of these (or a submodule) is evidence that the process exports metrics.
METRICS_MODULES = (
    "prometheus_client", "prometheus_fastapi_instrumentator", "starlette_exporter", "starlette_prometheus",
    "prometheus_flask_exporter", "django_prometheus", "aioprometheus", "prometheus_async",
    "opentelemetry.metrics", "opentelemetry.sdk.metrics", "opentelemetry.exporter.prometheus",
    "statsd", "datadog", "aiodogstatsd",
)
METRICS_ROOTS = frozenset(module.split(".", 1)[0] for module in METRICS_MODULES)
MAX_ROUTE_LENGTH = 200


def extract(ctx: FileContext) -> dict[str, Any]:
    """Return the web apps, routes and metrics evidence of one Python file."""
    if ctx.tree is None:
        return {}
    aliases = import_aliases(ctx)
    calls = [(call, qualified(call.func, aliases)) for call in ctx.nodes(ast.Call)]
    apps = find_apps(ctx, calls)
    routes = _unique(find_routes(ctx, calls))
    metrics = sorted(set(find_metrics(ctx)) | ({"route:/metrics"} if "/metrics" in routes else set()))
    return {key: value for key, value in (("apps", apps), ("routes", routes), ("metrics", metrics)) if value}


# Every call of a file with the imported dotted name it invokes (None when it is not one), in source order.
NamedCalls = list[tuple[ast.Call, str | None]]


def find_apps(ctx: FileContext, calls: NamedCalls) -> list[list[Any]]:
    """Return `[framework, line]` for each web application object the file creates."""
    apps: list[list[Any]] = []
    for call, name in calls:
        if name in APP_CONSTRUCTORS:
            apps.append([name.split(".", 1)[0], call.lineno])
    tree = ctx.tree
    if tree is not None:
        apps.extend(["django", stmt.lineno] for stmt in tree.body if _assigns(stmt, "ROOT_URLCONF"))
    return sorted(apps, key=lambda app: (app[1], app[0]))


def _assigns(stmt: ast.stmt, name: str) -> bool:
    """Return whether a module-level statement assigns a name."""
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    return isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name


def find_routes(ctx: FileContext, calls: NamedCalls) -> list[str]:
    """Return the route paths the file declares, in source order."""
    found: list[tuple[int, int, str]] = []
    decorators = {id(d) for f in _decorated(ctx) for d in f.decorator_list}
    for call, name in calls:
        path = _route_path(call, name, id(call) in decorators)
        if path is not None:
            found.append((call.lineno, call.col_offset, path[:MAX_ROUTE_LENGTH]))
        if name == "tornado.web.Application":
            found.extend((call.lineno, call.col_offset, p[:MAX_ROUTE_LENGTH]) for p in _tornado_paths(call))
    return [path for _, _, path in sorted(found)]


def _decorated(ctx: FileContext) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Return every function and class definition."""
    return [*ctx.nodes(ast.FunctionDef), *ctx.nodes(ast.AsyncFunctionDef), *ctx.nodes(ast.ClassDef)]


def _route_path(call: ast.Call, name: str | None, is_decorator: bool) -> str | None:
    """Return the path a call (invoking the imported `name`, if any) declares as a route, or None."""
    if name in DJANGO_ROUTES:
        return _first_string(call)
    if name is not None and name.split(".", 1)[0] in FRAMEWORKS:
        last = name.rsplit(".", 1)[-1]
        return _slash_path(call) if last in ROUTE_CALLABLES else None
    if isinstance(call.func, ast.Attribute):
        method = call.func.attr
        if method in ROUTE_METHODS or (is_decorator and method in VERB_METHODS):
            return _slash_path(call)
    return None


def _first_string(call: ast.Call) -> str | None:
    """Return the first positional string argument, or a path keyword's string."""
    for arg in [*call.args, *(k.value for k in call.keywords if k.arg in PATH_KEYWORDS)]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        if not isinstance(arg, ast.Constant):
            break
    return None


def _slash_path(call: ast.Call) -> str | None:
    """Return the call's path argument when it looks like a URL path (starts with `/`)."""
    strings = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    strings += [
        k.value.value for k in call.keywords
        if k.arg in PATH_KEYWORDS and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
    ]
    return next((s for s in strings if s.startswith("/")), None)


def _tornado_paths(call: ast.Call) -> list[str]:
    """Return the paths of a tornado `Application([(r"/x", Handler), ...])` route list."""
    paths: list[str] = []
    for arg in call.args[:1]:
        if isinstance(arg, (ast.List, ast.Tuple)):
            for item in arg.elts:
                if isinstance(item, ast.Tuple) and item.elts:
                    first = item.elts[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        paths.append(first.value)
    return paths


def find_metrics(ctx: FileContext) -> list[str]:
    """Return the evidence that the file exports metrics: metrics modules imported or configured."""
    found: set[str] = set()
    modules = [a.name for imp in ctx.nodes(ast.Import) for a in imp.names]
    modules += [imp.module for imp in ctx.nodes(ast.ImportFrom) if imp.module and imp.level == 0]
    for module in modules:
        if module.partition(".")[0] in METRICS_ROOTS:  # cheap test first: most imports are of nothing like these
            found.update(m for m in METRICS_MODULES if module == m or module.startswith(m + "."))
    # Django wires django_prometheus by name: INSTALLED_APPS and include("django_prometheus.urls").
    if ctx.nodes_where(ast.Constant, _names_django_prometheus):
        found.add("django_prometheus")
    return sorted(found)


def _names_django_prometheus(const: ast.Constant) -> bool:
    """Return whether a string names the django_prometheus app or one of its modules."""
    value = const.value
    return isinstance(value, str) and (value == "django_prometheus" or value.startswith("django_prometheus."))


def _unique(items: list[str]) -> list[str]:
    """Return the items without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


EXTRACTOR = Extractor(KEY, PYTHON, extract)
