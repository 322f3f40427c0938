"""## What it does
Flags a Kubernetes Service exposed outside the cluster.

In detail, it flags a Kubernetes Service of type `NodePort`, or `LoadBalancer` without
`loadBalancerSourceRanges`.

## Why is this bad?
A NodePort opens the port on every node of the cluster; a LoadBalancer usually gets a
public address. Either exposes the workload beyond the cluster, bypassing the ingress
controller's TLS, authentication and rate limits. It is often intended, so it is a low
severity reminder to check that it is.

## Example
```yaml
kind: Service
spec:
  type: LoadBalancer
```

## Use instead
```yaml
kind: Service
spec:
  type: ClusterIP   # and route through an Ingress or Gateway
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, is_core, object_subject, objects
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF016", "exposed-service", Domain.INFRASTRUCTURE, Severity.LOW, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report Services exposed outside the cluster."""
    for doc in objects(ctx):
        spec = doc.get_map("spec") if is_core(doc, "Service") else None
        kind = spec.get("type") if spec else None
        if spec is None or kind not in ("NodePort", "LoadBalancer"):
            continue
        if kind == "LoadBalancer" and spec.get("loadBalancerSourceRanges"):
            continue
        metadata = doc.get_map("metadata")
        name = metadata.get("name", "?") if metadata else "?"
        yield RawFinding(RULE.code, spec.line_of("type"), f"Service `{name}` is exposed as {kind}",
                         snippet=f"Service/{name}:{kind}", subject=object_subject(doc))


CHECK = FileCheck(RULE, MANIFEST, find)
