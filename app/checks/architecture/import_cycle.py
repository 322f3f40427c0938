"""## What it does
Flags a first-party Python module that is part of an import cycle.

Module `a` is in a cycle when it imports `b`, which (directly or through others) imports `a` again.

Each module in a cycle is reported once, at its import of the next module of one concrete cycle
through it, which the message spells out (`pkg.a -> pkg.b -> pkg.a`). When several cycles share
modules, they form one group, and each module of the group is reported once, with the size of the group.

Only imports that run when the module is imported count. Not counted:
- imports under `if TYPE_CHECKING:`, which never run;
- imports inside a function body, which run when the function is first called, after every module
  has loaded: moving an import into the function that needs it is the standard way to break a cycle;
- third-party and standard-library imports, test files, and generated or vendored code.

Imports are resolved as Python resolves them, from the package structure (`__init__.py` files),
with `src/` layouts and relative imports. `import a.b` counts as an import of `a.b`, not of the
package `a` it passes through, so a package's `__init__` re-exporting its modules is not a cycle by
itself; `from a import name` where `name` is not a module does depend on `a/__init__.py`.

## Why is this bad?
Modules in a cycle cannot be understood, tested or reused apart from each other. At import time the
cycle makes one of them run against a half-initialised other: `ImportError: cannot import name ...
(most likely due to a circular import)`, or an `AttributeError` that depends on which module
happened to be imported first, so it can appear in production and not in tests.

## Example
```python
# billing/invoice.py
from billing.customer import Customer

# billing/customer.py
from billing.invoice import Invoice   # billing.invoice -> billing.customer -> billing.invoice
```

## Use instead
Move what both need into a third module that imports neither, or import lazily where it is used:
```python
# billing/customer.py
def latest_invoice(customer_id: int) -> "Invoice":
    from billing.invoice import Invoice   # runs after both modules have loaded
    ...
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.architecture.graph import cycles_through, strongly_connected
from app.checks.architecture.modules import Layout, build_layout, imports
from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("ARC001", "import-cycle", Domain.ARCHITECTURE, Severity.MEDIUM, __doc__)

MAX_SHOWN = 8  # modules of a cycle spelled out in a message


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report every first-party module that sits in an import cycle, once, at its import of the next module."""
    layout = build_layout(view)
    graph = import_graph(view, layout)
    for component in strongly_connected(graph):
        if len(component) < 2:
            continue
        for path, cycle in sorted(cycles_through(graph, component).items()):
            line = graph[path][str(cycle[1])]
            message = _message(layout, cycle, len(component))
            # The snippet leaves out the other members, so a cycle that shrinks or grows elsewhere
            # does not make this module's finding new: only a module newly put in a cycle is.
            yield RepoFinding(path, RawFinding(RULE.code, line, message, snippet="import-cycle"))


def import_graph(view: RepoView, layout: Layout) -> dict[str, dict[str, int]]:
    """Return the modules each first-party module imports at import time, with the first line of each."""
    graph: dict[str, dict[str, int]] = {}
    for path in layout.names:
        edges: dict[str, int] = {}
        for imported in imports(view, layout, path):
            if imported.runtime and imported.target != path:
                edges[imported.target] = min(edges.get(imported.target, imported.line), imported.line)
        graph[path] = edges
    return graph


def _message(layout: Layout, cycle: list[str | None], group: int) -> str:
    """Return the finding's message: the cycle by module name, and the size of its group."""
    names = [layout.names[p] if p is not None else "..." for p in cycle]
    if len(names) > MAX_SHOWN and None not in cycle:
        names = [*names[: MAX_SHOWN - 2], "...", *names[-2:]]
    text = f"`{names[0]}` is in an import cycle: {' -> '.join(names)}"
    if group > len(cycle) - 1 or None in cycle:
        text += f" (one of {group} modules tangled in import cycles)"
    return text


CHECK = RepoCheck(RULE, find)
