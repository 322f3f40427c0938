"""## What it does
Flags a database query run once per item of a loop: the "N+1 queries" pattern.

It reports a recognisable query, in a `for` loop or a comprehension, whose arguments come from the loop
variable:
- Django: a `Model.objects` chain ending in a method that runs the query (`get`, `first`, `last`,
  `count`, `exists`, `aggregate`, `get_or_create`, ...) or iterated by an inner loop;
- SQLAlchemy: `session.execute/scalars/scalar(...)`, `session.get(Model, ...)`, a `session.query(...)`
  chain ending in `all/first/one/one_or_none/scalar/count` or iterated (a session is a name ending in
  `session`, `db`, or a parameter annotated `Session`/`AsyncSession`);
- DB-API and asyncpg: `cursor.execute(sql, params)` (a cursor is a name ending in `cursor`/`cur` or made by
  `.cursor()`), `conn.execute/fetch/fetchrow/fetchval(sql, params)`.

To stay precise it does not flag: `executemany`, `bulk_create` and other batch calls; a query whose
arguments do not depend on the loop variable (directly or through a variable assigned from it); a loop
over a list of SQL statements (`for stmt in migrations: cur.execute(stmt)`); batched queries (an
`__in` lookup, `.in_(...)`, `IN (` or `= ANY(` in the SQL, or a loop over `batch`/`chunk`/`page`
values); `while` loops, which are usually polling or keyset pagination; test files, whose loops set up
fixtures. Django lookups count only in files that import Django or whose model comes from a `models`
module.

## Why is this bad?
Each iteration pays a full round trip to the database. A loop over 1,000 orders that loads each
customer runs 1,001 queries where one or two would do; the page is fast in development with ten rows and
times out in production. The cost grows with the data, so it rarely shows up in tests.

## Example
```python
for order in orders:
    customer = Customer.objects.get(id=order.customer_id)
    send_receipt(customer.email, order)

for row in rows:
    cursor.execute("INSERT INTO events (kind, at) VALUES (%s, %s)", (row.kind, row.at))
```

## Use instead
```python
customers = Customer.objects.in_bulk({order.customer_id for order in orders})
for order in orders:
    send_receipt(customers[order.customer_id].email, order)

cursor.executemany("INSERT INTO events (kind, at) VALUES (%s, %s)", [(r.kind, r.at) for r in rows])
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from app.checks.base import PYTHON, FileCheck, FileContext, rule
from app.checks.facts.path_roles import is_test_path
from app.checks.facts.pynames import (
    dotted,
    import_aliases,
    loops_around,
    names_in,
    qualified,
    scope_nodes,
    scoped_snippet,
    target_names,
)
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("PRF004", "query-in-loop", Domain.PERFORMANCE, Severity.MEDIUM, __doc__, scoped=True)

DJANGO_TERMINAL = frozenset({
    "get", "get_or_create", "update_or_create", "first", "last", "latest", "earliest", "count", "exists",
    "aggregate", "in_bulk", "contains",
})
DJANGO_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
QUERY_TERMINAL = frozenset({"all", "first", "one", "one_or_none", "scalar", "count"})
SESSION_RUNS = frozenset({"execute", "scalars", "scalar"})
CONNECTION_RUNS = frozenset({"execute", "fetch", "fetchrow", "fetchval", "exec_driver_sql"})
SESSION_TYPES = frozenset({"Session", "AsyncSession", "scoped_session"})

SESSION_NAME = re.compile(r"(?:session|^_*db)$", re.IGNORECASE)
CURSOR_NAME = re.compile(r"(?:^|_)(?:cursor|cur)$", re.IGNORECASE)
CONNECTION_NAME = re.compile(r"(?:^|_)(?:conn|connection)$", re.IGNORECASE)
BATCH_SQL = re.compile(r"\bIN\s*\(|=\s*ANY\s*\(", re.IGNORECASE)
BATCH_WORDS = ("batch", "chunk", "page")

# A query found in the code: what to call it, the expressions its result depends on, its statement.
Query = tuple[str, list[ast.expr], ast.expr | None]


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report recognisable queries run once per item of a loop."""
    if ctx.tree is None or is_test_path(ctx.path) or not _has_loops(ctx):
        return
    finder: _QueryFinder | None = None  # made for the first call in a loop: most calls are in none
    for node in ctx.nodes(ast.Call):
        loops = list(loops_around(ctx, node, with_while=False))
        if not loops:
            continue
        finder = finder or _QueryFinder(ctx)
        query = finder.query(node)
        if query is not None and _per_item(query, loops):
            yield RawFinding(
                RULE.code, node.lineno,
                f"query in a loop (N+1): `{query[0]}` runs once per item; fetch everything in one query "
                "before the loop (an `__in` lookup, a join, prefetching, or `executemany`)",
                end_line=node.end_lineno or node.lineno,
                snippet=scoped_snippet(ctx, node),
            )


def _has_loops(ctx: FileContext) -> bool:
    """Return whether a file has a loop that `loops_around` may find (for loops and comprehensions)."""
    return any(ctx.nodes(kind) for kind in (ast.For, ast.AsyncFor, ast.comprehension))


def _iterated_chains(ctx: FileContext) -> list[ast.expr]:
    """Return the iterables of inner loops and comprehensions: a lazy query runs when iterated."""
    loops: list[ast.For | ast.AsyncFor | ast.comprehension] = [
        *ctx.nodes(ast.For), *ctx.nodes(ast.AsyncFor), *ctx.nodes(ast.comprehension)
    ]
    return [loop.iter for loop in loops if isinstance(loop.iter, ast.Call)]


class _QueryFinder:
    """Recognise the query calls of one file."""

    def __init__(self, ctx: FileContext) -> None:
        self.aliases = import_aliases(ctx)
        self.imports_django = any(v.split(".", 1)[0] == "django" for v in self.aliases.values())
        self.model_classes = {
            c.name for c in ctx.nodes(ast.ClassDef) if any((dotted(b) or "").endswith("Model") for b in c.bases)
        }
        self.cursors = _names_made_by(ctx, "cursor")
        self.sessions = _annotated_names(ctx, SESSION_TYPES)
        self.iterated = {id(node) for node in _iterated_chains(ctx)}

    def query(self, node: ast.expr) -> Query | None:
        """Return the query a call runs (or an iterated chain runs), else None."""
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return None
        chain = _chain(node)
        return self._django(node, chain) or self._sqlalchemy(node, chain) or self._dbapi(node)

    def _django(self, call: ast.Call, chain: list[ast.Call]) -> Query | None:
        """Recognise `Model.objects....terminal()` or an iterated `Model.objects` chain."""
        method = _method(call)
        if method not in DJANGO_TERMINAL and id(call) not in self.iterated:
            return None
        manager = _method(chain[0])
        root = chain[0].func.value if isinstance(chain[0].func, ast.Attribute) else None
        if not isinstance(root, ast.Attribute) or root.attr not in DJANGO_MANAGERS or not self._is_model(root.value):
            return None
        if any((k.arg or "").endswith("__in") for c in chain for k in c.keywords):
            return None  # a batched lookup is the cure for N+1, not an instance of it
        label = f"{dotted(root) or 'Model.objects'}.{manager}(...)" + ("" if len(chain) == 1 else f"...{method}()")
        return label, _chain_arguments(chain), None

    def _is_model(self, node: ast.expr) -> bool:
        """Return whether an expression names a Django model class."""
        name = dotted(node)
        if name is None or not name.rsplit(".", 1)[-1][:1].isupper():
            return False
        if self.imports_django or name in self.model_classes:
            return True
        origin = qualified(node, self.aliases) or ""
        return "models" in origin.split(".")

    def _sqlalchemy(self, call: ast.Call, chain: list[ast.Call]) -> Query | None:
        """Recognise session queries: execute/scalars/get, or a `query(...)` chain that runs."""
        first = chain[0]
        if not isinstance(first.func, ast.Attribute) or not self._is_session(first.func.value):
            return None
        receiver = dotted(first.func.value)
        method = _method(first)
        if len(chain) == 1 and method in SESSION_RUNS:
            return f"{receiver}.{method}(...)", _statement_arguments(first), first.args[0] if first.args else None
        if len(chain) == 1 and method == "get" and first.args and _is_class_name(first.args[0]):
            return f"{receiver}.get(...)", _chain_arguments(chain), None
        runs = _method(call) in QUERY_TERMINAL or id(call) in self.iterated
        if method == "query" and runs:
            return f"{receiver}.query(...)...", _chain_arguments(chain), None
        return None

    def _is_session(self, node: ast.expr) -> bool:
        """Return whether an expression names an ORM session."""
        name = dotted(node)
        return name is not None and (bool(SESSION_NAME.search(name.rsplit(".", 1)[-1])) or name in self.sessions)

    def _dbapi(self, call: ast.Call) -> Query | None:
        """Recognise `cursor.execute(sql, params)` and `conn.execute/fetch...(sql, params)`."""
        if not isinstance(call.func, ast.Attribute) or not call.args:
            return None
        receiver = call.func.value
        made_here = isinstance(receiver, ast.Call) and _method(receiver) == "cursor"
        name = "cursor()" if made_here else dotted(receiver)
        if name is None:
            return None
        last, method = name.rsplit(".", 1)[-1], call.func.attr
        is_cursor = method == "execute" and (made_here or bool(CURSOR_NAME.search(last)) or name in self.cursors)
        if not is_cursor and not (method in CONNECTION_RUNS and CONNECTION_NAME.search(last)):
            return None
        params = [*call.args[1:], *(k.value for k in call.keywords)]
        return f"{name}.{method}(...)", params, call.args[0]


def _chain(call: ast.Call) -> list[ast.Call]:
    """Return the calls of a method chain `a.b(...).c(...).d(...)`, innermost first."""
    calls = [call]
    node = call.func.value if isinstance(call.func, ast.Attribute) else None
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return list(reversed(calls))


def _method(call: ast.Call) -> str:
    """Return the method name a call invokes, or an empty string."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _chain_arguments(chain: list[ast.Call]) -> list[ast.expr]:
    """Return every argument of every call in a chain, keyword values included."""
    return [arg for call in chain for arg in [*call.args, *(k.value for k in call.keywords)]]


def _statement_arguments(call: ast.Call) -> list[ast.expr]:
    """Return what an `execute` result depends on: all of an ORM statement, only the parameters of SQL text."""
    statement = call.args[0] if call.args else None
    if isinstance(statement, ast.Call) and (dotted(statement.func) or "").rsplit(".", 1)[-1] == "text":
        statement = statement.args[0] if statement.args else None
    if isinstance(statement, (ast.Constant, ast.JoinedStr, ast.BinOp)):
        # SQL built from the loop variable is a list of statements (or an injection), not N+1.
        return [*call.args[1:], *(k.value for k in call.keywords)]
    return _chain_arguments([call])


def _is_class_name(node: ast.expr) -> bool:
    """Return whether an expression looks like a class (`User`, `models.User`), not a CONSTANT."""
    name = (dotted(node) or "").rsplit(".", 1)[-1]
    return name[:1].isupper() and not name.isupper()


def _names_made_by(ctx: FileContext, method: str) -> set[str]:
    """Return the names assigned from a `.method()` call, e.g. `cur = conn.cursor()`."""
    found: set[str] = set()
    pairs: list[tuple[ast.expr, ast.expr]] = [(t, a.value) for a in ctx.nodes(ast.Assign) for t in a.targets]
    pairs += [(i.optional_vars, i.context_expr) for i in ctx.nodes(ast.withitem) if i.optional_vars is not None]
    for target, value in pairs:
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call) and _method(value) == method:
            found.add(dotted(target) or "")
    return found


def _annotated_names(ctx: FileContext, types: frozenset[str]) -> set[str]:
    """Return the parameters annotated with one of the named types (`db: Session`)."""
    found: set[str] = set()
    for arg in ctx.nodes(ast.arg):
        if arg.annotation is not None:
            named = {(dotted(n) or "").rsplit(".", 1)[-1] for n in ast.walk(arg.annotation)}
            if named & types:
                found.add(arg.arg)
    return found


def _loop_targets(loops: list[ast.AST]) -> set[str]:
    """Return the names the loops bind as their targets."""
    names: set[str] = set()
    for loop in loops:
        if isinstance(loop, (ast.For, ast.AsyncFor, ast.comprehension)):
            names |= target_names(loop.target)
    return names


def _loop_names(loops: list[ast.AST]) -> set[str]:
    """Return the names that change per iteration: loop targets and values computed from them."""
    names = _loop_targets(loops)
    for loop in loops:
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            _propagate(loop, names)
    return names


def _propagate(loop: ast.For | ast.AsyncFor, names: set[str]) -> None:
    """Add the names a loop body assigns from values that depend on the loop's names."""
    assignments: list[tuple[ast.AST, ast.AST]] = []
    for stmt in loop.body:
        for node in scope_nodes(stmt):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assignments.extend((target, node.value) for target in targets)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                assignments.append((node.target, node.iter))
    changed = True
    while changed:
        changed = False
        for target, value in assignments:
            new = target_names(target) - names
            if new and names_in(value) & names:
                names |= new
                changed = True


def _per_item(query: Query, loops: list[ast.AST]) -> bool:
    """Return whether a query's arguments come from the loop and it is not a batch or a statement list."""
    _, arguments, statement = query
    if any(word in name.lower() for name in _loop_targets(loops) for word in BATCH_WORDS):
        return False
    loop_names = _loop_names(loops)
    if _is_statement_list(statement, loop_names):
        return False
    if isinstance(statement, ast.Constant) and isinstance(statement.value, str) and BATCH_SQL.search(statement.value):
        return False
    if any(_is_batch(arg) for arg in arguments):
        return False
    return any(names_in(arg) & loop_names for arg in arguments)


def _is_statement_list(statement: ast.expr | None, loop_names: set[str]) -> bool:
    """Return whether the loop runs a list of statements: `execute(stmt)` or `execute(text(stmt))`."""
    if isinstance(statement, ast.Call) and len(statement.args) == 1 and not statement.keywords:
        statement = statement.args[0]
    return isinstance(statement, ast.Name) and statement.id in loop_names


def _is_batch(node: ast.expr) -> bool:
    """Return whether an argument asks for many rows at once (`.in_(...)`, `any_(...)`)."""
    return any(isinstance(sub, ast.Call) and _method(sub) in ("in_", "any_") for sub in ast.walk(node))


CHECK = FileCheck(RULE, PYTHON, find)
