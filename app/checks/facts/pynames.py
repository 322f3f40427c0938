"""Name resolution helpers for Python checks: imports, dotted names, scopes and loops."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app.checks.base import FileContext, per_file

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def module_aliases(ctx: FileContext) -> dict[str, str]:
    """Map every name an `import x` (or `import x.y as z`) binds to the module it stands for."""
    return dict(_module_aliases(ctx))  # a copy: the caller may change it, the file's own stays


def import_aliases(ctx: FileContext) -> dict[str, str]:
    """Map every name an import binds in the file to the dotted name it stands for."""
    return dict(_import_aliases(ctx))


# Computed once per file: about ten checks ask for a Python file's imports.
@per_file
def _module_aliases(ctx: FileContext) -> dict[str, str]:
    """Map every name an `import x` binds to its module (see `module_aliases`)."""
    aliases: dict[str, str] = {}
    for imp in ctx.nodes(ast.Import):
        for alias in imp.names:
            if alias.asname:
                aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".", 1)[0]
                aliases[root] = root
    return aliases


@per_file
def _import_aliases(ctx: FileContext) -> dict[str, str]:
    """Map every name an import binds to its dotted name (see `import_aliases`)."""
    aliases = module_aliases(ctx)
    for node in ctx.nodes(ast.ImportFrom):
        prefix = "." * node.level + (f"{node.module}." if node.module else "")
        for alias in node.names:
            if alias.name != "*":
                aliases[alias.asname or alias.name] = prefix + alias.name
    return aliases


def dotted(node: ast.AST) -> str | None:
    """Return `a.b.c` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def root_name(node: ast.AST) -> str | None:
    """Return the name a chain of attributes starts from (`a` of `a.b.c`), or None; cheaper than `dotted`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def qualified(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """Return the imported dotted name an expression refers to (`r.get` -> `requests.get`), else None."""
    # The root decides first: most calls are not on an imported name, and need no dotted string built.
    root = root_name(node)
    target = aliases.get(root) if root is not None else None
    if target is None:
        return None
    name = dotted(node) or ""
    rest = name.partition(".")[2]
    return f"{target}.{rest}" if rest else target


def call_name(call: ast.Call, aliases: dict[str, str]) -> str | None:
    """Return the imported dotted name a call invokes, else None."""
    return qualified(call.func, aliases)


def is_rebound(ctx: FileContext, name: str) -> bool:
    """Return whether the file binds a name anywhere (so a builtin of that name may be shadowed)."""
    if ctx.nodes_where(ast.Name, lambda node: node.id == name and isinstance(node.ctx, ast.Store)):
        return True
    for arg in ctx.nodes(ast.arg):
        if arg.arg == name:
            return True
    for define in ctx.nodes(ast.FunctionDef) + ctx.nodes(ast.AsyncFunctionDef) + ctx.nodes(ast.ClassDef):
        if define.name == name:
            return True
    return name in import_aliases(ctx)


def enclosing_scope(ctx: FileContext, node: ast.AST) -> ast.AST | None:
    """Return the nearest function, lambda or class around a node, or None at module level."""
    for outer in ctx.ancestors(node):
        if isinstance(outer, SCOPES):
            return outer
    return None


def scope_name(ctx: FileContext, node: ast.AST) -> str:
    """Return the dotted names of the functions and classes around a node, for stable snippets."""
    named = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    names = [a.name for a in ctx.ancestors(node) if isinstance(a, named)]
    return ".".join(reversed(names)) or "<module>"


def scoped_snippet(ctx: FileContext, node: ast.stmt | ast.expr | ast.excepthandler) -> str:
    """Return a scoped rule's snippet (`Rule.scoped`): the scope, then the code of the node's line, comment aside."""
    return f"{scope_name(ctx, node)}:{ctx.code_text(node.lineno).strip()}"


def loops_around(ctx: FileContext, node: ast.AST, *, with_while: bool = True) -> Iterator[ast.AST]:
    """Yield the loops (for, while, comprehension generators) that repeat a node, innermost first.

    Only loops in the node's own scope count: a function defined in a loop body runs when called.
    """
    child = node
    for outer in ctx.ancestors(node):
        if isinstance(outer, SCOPES):
            return
        yield from _repeating(outer, child, with_while)
        child = outer


def _repeating(outer: ast.AST, child: ast.AST, with_while: bool) -> list[ast.AST]:
    """Return the loops of `outer` that run `child` once per iteration, innermost first."""
    if isinstance(outer, (ast.For, ast.AsyncFor)):
        return [outer] if any(child is stmt for stmt in outer.body) else []
    if isinstance(outer, ast.While):
        repeated = child is outer.test or any(child is stmt for stmt in outer.body)
        return [outer] if with_while and repeated else []
    if isinstance(outer, ast.comprehension):
        return [outer] if any(child is cond for cond in outer.ifs) else []
    if isinstance(outer, COMPREHENSIONS):
        # A generator's iterable runs once per iteration of the generators before it, never its own.
        for index, generator in enumerate(outer.generators):
            if child is generator:
                return list(reversed(outer.generators[:index]))
        return list(reversed(outer.generators))
    return []


def names_in(node: ast.AST) -> set[str]:
    """Return the names an expression reads."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def target_names(target: ast.AST) -> set[str]:
    """Return the names an assignment or loop target binds."""
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def scope_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """Yield the nodes a module, function or class body runs itself, not those of nested scopes.

    Nested definitions are yielded (their names are bound here) but not entered; neither are a
    function's decorators, defaults and annotations, which run in the enclosing scope.
    """
    body = root.body if isinstance(root, (ast.Module, *SCOPES)) else [root]
    stack: list[ast.AST] = list(reversed(body)) if isinstance(body, list) else [body]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
