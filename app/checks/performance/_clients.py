"""Which expressions hold blocking network clients, for the blocking-call-in-async check."""

from __future__ import annotations

import ast

from app.checks.base import FileContext
from app.checks.facts.pynames import call_name, dotted, import_aliases, qualified, scope_nodes, target_names

OTHER = "other"

# Module-level blocking functions that ruff's ASYNC rules do not know.
BLOCKING_FUNCTIONS = frozenset({
    "socket.create_connection", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.getfqdn", "socket.getnameinfo",
    "httpx.stream", "urllib.request.urlretrieve", "codecs.open",
})

# Constructors (and their class names, for annotations) of blocking clients, by kind.
CLIENT_FACTORIES: dict[str, str] = {
    "requests.Session": "requests.Session", "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "httpx.Client": "httpx.Client",
    "urllib3.PoolManager": "urllib3.PoolManager", "urllib3.ProxyManager": "urllib3.PoolManager",
    "urllib3.HTTPConnectionPool": "urllib3.PoolManager", "urllib3.HTTPSConnectionPool": "urllib3.PoolManager",
    "urllib3.connection_from_url": "urllib3.PoolManager",
    "http.client.HTTPConnection": "http.client.HTTPConnection",
    "http.client.HTTPSConnection": "http.client.HTTPConnection",
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "urllib.request.OpenerDirector": "urllib.request.OpenerDirector",
    "socket.socket": "socket.socket", "socket.create_connection": "socket.socket",
}
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send"})
CLIENT_METHODS: dict[str, frozenset[str]] = {
    "requests.Session": _HTTP_VERBS,
    "httpx.Client": _HTTP_VERBS | {"stream"},
    "urllib3.PoolManager": frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    "http.client.HTTPConnection": frozenset({"request", "getresponse", "connect"}),
    "urllib.request.OpenerDirector": frozenset({"open"}),
    "socket.socket": frozenset({"connect", "accept", "recv", "recv_into", "recvfrom", "recvfrom_into",
                                "send", "sendall", "sendto", "sendfile"}),
}
# ruff's ASYNC212 already follows names and parameters bound to these clients.
RUFF_FOLLOWS = frozenset({"httpx.Client"})
SELF_NAMES = frozenset({"self", "cls"})

Binding = dict[str, str]


class ClientResolver:
    """Resolve which names, attributes and calls of one file hold blocking clients."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.aliases = import_aliases(ctx)
        self._scopes: dict[int, Binding] = {}
        self._classes: dict[int, Binding] = {}
        self._nonblocking = self._nonblocking_receivers()

    def blocking_call(self, call: ast.Call, func: ast.AsyncFunctionDef) -> str | None:
        """Return a description of a blocking call made in a coroutine function, or None."""
        name = call_name(call, self.aliases)
        if name in BLOCKING_FUNCTIONS:
            return f"{name}()"
        if not isinstance(call.func, ast.Attribute):
            return None
        kind = self.kind_of(call.func.value, func)
        if kind is None or call.func.attr not in CLIENT_METHODS[kind]:
            return None
        if dotted(call.func.value) in self._nonblocking:
            return None
        return f"{kind}.{call.func.attr}()"

    def kind_of(self, expr: ast.expr, func: ast.AsyncFunctionDef) -> str | None:
        """Return the client kind an expression holds, or None when unknown or not a client."""
        if isinstance(expr, ast.Call):
            return CLIENT_FACTORIES.get(call_name(expr, self.aliases) or "")
        if isinstance(expr, ast.Name):
            kind = self._name_kind(expr.id, func)
            return None if kind in RUFF_FOLLOWS else kind
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in SELF_NAMES:
            owner = self.ctx.parent(func)
            kind = self._attributes(owner).get(expr.attr) if isinstance(owner, ast.ClassDef) else None
            return None if kind == OTHER else kind
        return None

    def _name_kind(self, name: str, func: ast.AsyncFunctionDef) -> str | None:
        """Return the kind of a name, from the function's bindings, else the module's."""
        local = self._bindings(func)
        kind = local.get(name) if name in local else self._bindings(self.ctx.tree).get(name)
        return None if kind == OTHER else kind

    def _bindings(self, scope: ast.AST | None) -> Binding:
        """Return the kind of every name a scope binds, OTHER when it is not always one client."""
        if scope is None:
            return {}
        cached = self._scopes.get(id(scope))
        if cached is None:
            cached = {}
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for arg in [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]:
                    _bind(cached, arg.arg, self._annotation_kind(arg.annotation))
            for node in scope_nodes(scope):
                for name, kind in self._bound_by(node):
                    _bind(cached, name, kind)
            self._scopes[id(scope)] = cached
        return cached

    def _bound_by(self, node: ast.AST) -> list[tuple[str, str]]:
        """Return the (name, kind) pairs one statement or expression binds."""
        if isinstance(node, ast.Assign):
            kind = self._value_kind(node.value)
            return [(n, kind if isinstance(t, ast.Name) else OTHER) for t in node.targets for n in target_names(t)]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            kind = self._annotation_kind(node.annotation)
            return [(node.target.id, kind if kind != OTHER else self._value_kind(node.value))]
        if isinstance(node, ast.withitem) and node.optional_vars is not None:
            kind = self._value_kind(node.context_expr)
            return [(n, kind if isinstance(node.optional_vars, ast.Name) else OTHER)
                    for n in target_names(node.optional_vars)]
        if isinstance(node, ast.NamedExpr):
            return [(node.target.id, self._value_kind(node.value))]
        return [(n, OTHER) for n in _other_bindings(node)]

    def _attributes(self, cls: ast.ClassDef) -> Binding:
        """Return the kind of every attribute a class sets on `self` or in its body."""
        cached = self._classes.get(id(cls))
        if cached is None:
            cached = dict(self._bindings(cls))
            for method in cls.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and method.args.args:
                    for name, kind in self._self_assignments(method, method.args.args[0].arg):
                        _bind(cached, name, kind)
            self._classes[id(cls)] = cached
        return cached

    def _self_assignments(self, method: ast.AST, self_name: str) -> list[tuple[str, str]]:
        """Return the (attribute, kind) pairs a method assigns on its first parameter."""
        found: list[tuple[str, str]] = []
        for node in scope_nodes(method):
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
            found.extend((target.attr, self._value_kind(value)) for target in targets
                         if isinstance(target, ast.Attribute) and dotted(target.value) == self_name)
        return found

    def _value_kind(self, value: ast.expr | None) -> str:
        """Return the client kind a value creates, or OTHER."""
        if isinstance(value, ast.Call):
            return CLIENT_FACTORIES.get(call_name(value, self.aliases) or "", OTHER)
        return OTHER

    def _annotation_kind(self, annotation: ast.expr | None) -> str:
        """Return the client kind an annotation names (`requests.Session | None` too), or OTHER."""
        if annotation is None:
            return OTHER
        names = {qualified(node, self.aliases) or "" for node in ast.walk(annotation)}
        kinds = {CLIENT_FACTORIES[name] for name in names if name in CLIENT_FACTORIES}
        return kinds.pop() if len(kinds) == 1 else OTHER

    def _nonblocking_receivers(self) -> set[str]:
        """Return the sockets the file switches to non-blocking mode (`sock.setblocking(False)`)."""
        found: set[str] = set()
        for call in self.ctx.nodes(ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in ("setblocking", "settimeout") and call.args:
                arg = call.args[0]
                if isinstance(arg, ast.Constant) and arg.value in (False, 0):
                    found.add(dotted(func.value) or "")
        return found


def _bind(bindings: Binding, name: str, kind: str) -> None:
    """Record a binding; a name bound to different things is OTHER."""
    previous = bindings.get(name)
    bindings[name] = kind if previous in (None, kind) else OTHER


def _other_bindings(node: ast.AST) -> set[str]:
    """Return the names a statement binds to something that is not a client (loops, imports, defs)."""
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return target_names(node.target)
    if isinstance(node, ast.AugAssign):
        return target_names(node.target)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".", 1)[0] for a in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.ExceptHandler) and node.name:
        return {node.name}
    return set()
