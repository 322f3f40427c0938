"""## What it does
Flags a docker-compose service with `network_mode: host`.

## Why is this bad?
The container shares the host's network stack: every port it opens is open on the host,
it can reach services bound to the host's loopback, and Compose's network isolation and
port mapping no longer apply.

## Example
```yaml
services:
  api:
    image: acme/api:1.2
    network_mode: host
```

## Use instead
```yaml
services:
  api:
    image: acme/api:1.2
    ports: ["127.0.0.1:8000:8000"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.compose import services
from app.checks.infrastructure.kube import MANIFEST
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF019", "compose-host-network", Domain.INFRASTRUCTURE, Severity.HIGH, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report compose services on the host's network."""
    for name, service in services(ctx):
        mode = service.get_str("network_mode")
        if mode is not None and mode.strip().lower() == "host":
            yield RawFinding(RULE.code, service.line_of("network_mode"),
                             f"compose service `{name}` uses the host's network", snippet=f"network:{name}")


CHECK = FileCheck(RULE, MANIFEST, find)
