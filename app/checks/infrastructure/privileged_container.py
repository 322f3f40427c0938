"""## What it does
Flags a privileged Kubernetes container.

In detail, it flags a Kubernetes container or init container with `securityContext.privileged: true`.

## Why is this bad?
A privileged container has every capability and the host's devices: it is root on the node
in all but name, and any compromise of it is a compromise of the node and every pod on it.
The few system agents that need it (CNI, storage drivers) should be suppressed with a
reason, so the exception is visible.

## Example
```yaml
securityContext:
  privileged: true
```

## Use instead
```yaml
securityContext:
  privileged: false
  capabilities:
    add: ["NET_ADMIN"]   # only the capability actually needed
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, explicitly_true
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF012", "privileged-container", Domain.INFRASTRUCTURE, Severity.HIGH, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report privileged containers."""
    for container, line in explicitly_true(ctx, "privileged"):
        yield RawFinding(RULE.code, line, f"container `{container.label}` is privileged",
                         snippet=f"privileged:{container.key}", subject=container.subject)


CHECK = FileCheck(RULE, MANIFEST, find)
