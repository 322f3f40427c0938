"""## What it does
Flags a docker-compose service with `privileged: true`.

## Why is this bad?
A privileged container gets every capability and the host's devices: escaping it is
trivial, so whoever controls the service controls the host. Compose files are often copied
from development to servers, taking the privilege with them.

## Example
```yaml
services:
  worker:
    image: acme/worker:1.2
    privileged: true
```

## Use instead
```yaml
services:
  worker:
    image: acme/worker:1.2
    cap_add: ["SYS_PTRACE"]   # only the capability actually needed
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.compose import services
from app.checks.infrastructure.kube import MANIFEST
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF018", "compose-privileged", Domain.INFRASTRUCTURE, Severity.HIGH, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report privileged compose services."""
    for name, service in services(ctx):
        if service.is_true("privileged"):
            yield RawFinding(RULE.code, service.line_of("privileged"), f"compose service `{name}` is privileged",
                             snippet=f"privileged:{name}")


CHECK = FileCheck(RULE, MANIFEST, find)
