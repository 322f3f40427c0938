"""## What it does
Flags an import from a layer above the importer's, when the policy declares layers.

With

```toml
[architecture]
layers = ["billing.api", "billing.services", "billing.models"]   # top first
```

a module may import only from its own layer or the layers below it: `billing.services.pay` may import
`billing.models.invoice`, but `billing.models.invoice` may not import `billing.services.pay` or
`billing.api.views`. A module belongs to the most specific layer whose name is its dotted name or a
prefix of it; modules outside every layer are not judged.

Every import counts, including those inside functions and under `if TYPE_CHECKING:`: a lazy or
type-only import still makes the lower layer know about the upper one. Test files are not judged.
Nothing is reported when the policy declares no layers.

## Why is this bad?
Layers only help while dependencies point one way. A model that imports a service cannot be
reused, tested or changed without the service, the layers stop being separable, and such imports
are where import cycles start.

## Example
```python
# billing/models/invoice.py
from billing.services.pricing import total   # models is below services
```

## Use instead
```python
# billing/services/pricing.py owns the computation and is called with the model:
def total(invoice: Invoice) -> Decimal: ...
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.checks.architecture.modules import Layout, build_layout, path_name, resolve_entry
from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.facts.python_imports import KEY as IMPORTS
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("ARC002", "layer-violation", Domain.ARCHITECTURE, Severity.MEDIUM, __doc__)


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report each import of a module from a layer above the importer's, once per file and module."""
    layers = view.policy.architecture.layers
    if not layers:
        return
    layout = build_layout(view)
    for path in sorted(layout.names):
        own = _layer(layers, [layout.names[path], path_name(path)])
        if own is not None:
            yield from _violations(view, layout, path, layers, own)


def _violations(
    view: RepoView, layout: Layout, path: str, layers: tuple[str, ...], own: int
) -> Iterator[RepoFinding]:
    """Yield one finding per imported module of a layer above `own`, at its first import."""
    reported: set[str] = set()
    entries = [e for e in view.data(path, IMPORTS) or [] if isinstance(e, dict)]
    for entry in sorted(entries, key=lambda e: int(e.get("line") or 0)):
        for target in _imported_names(layout, path, entry):
            above = _layer(layers, [target])
            if above is None or above >= own:
                continue
            if target not in reported:
                reported.add(target)
                message = (
                    f"`{layout.names[path]}` (layer `{layers[own]}`) imports `{target}` "
                    f"from the layer above it (`{layers[above]}`)"
                )
                line = int(entry.get("line") or 0)
                yield RepoFinding(path, RawFinding(RULE.code, line, message, snippet=f"layer:{target}"))
            break  # one finding per import statement


def _imported_names(layout: Layout, path: str, entry: dict[str, Any]) -> list[str]:
    """Return the dotted names one import loads: its first-party modules when resolved, else as written."""
    resolved = [layout.names[t] for t in resolve_entry(layout, path, entry)]
    if resolved or entry.get("level"):
        return resolved
    module = str(entry.get("module") or "")
    names = [f"{module}.{n}" for n in entry.get("names") or [] if n != "*"]
    return [*names, module] if module else []


def _layer(layers: tuple[str, ...], names: list[str]) -> int | None:
    """Return the index of the most specific layer any of the names belongs to, or None."""
    best: tuple[int, int] | None = None  # (length of the layer name, index)
    for index, layer in enumerate(layers):
        inside = any(name == layer or name.startswith(layer + ".") for name in names)
        if inside and (best is None or len(layer) > best[0]):
            best = (len(layer), index)
    return None if best is None else best[1]


CHECK = RepoCheck(RULE, find)
