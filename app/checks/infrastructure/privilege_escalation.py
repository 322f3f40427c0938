"""## What it does
Flags a Kubernetes container that explicitly allows privilege escalation.

In detail, it flags a Kubernetes container or init container that explicitly sets
`securityContext.allowPrivilegeEscalation: true`.

Only an explicit `true` is flagged. Leaving it unset is Kubernetes' default and is so
common that flagging it would bury real findings (and block innocent changes); an explicit
`true` is a deliberate opt-in to the risk and deserves a look.

## Why is this bad?
It lets a process gain more privileges than its parent (setuid binaries, file
capabilities), so a compromised non-root process can become root in the container.

## Example
```yaml
securityContext:
  allowPrivilegeEscalation: true
```

## Use instead
```yaml
securityContext:
  allowPrivilegeEscalation: false
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, explicitly_true
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF014", "privilege-escalation", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report containers that explicitly allow privilege escalation."""
    for container, line in explicitly_true(ctx, "allowPrivilegeEscalation"):
        yield RawFinding(RULE.code, line, f"container `{container.label}` allows privilege escalation",
                         snippet=f"escalation:{container.key}", subject=container.subject)


CHECK = FileCheck(RULE, MANIFEST, find)
