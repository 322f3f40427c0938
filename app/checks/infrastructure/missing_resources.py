"""## What it does
Flags a Kubernetes container without resource requests or limits.

In detail, it flags a Kubernetes container (in a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
Job or CronJob) that declares neither resource requests nor limits (medium), or requests
without any limits (low). Limits without requests are fine: Kubernetes then uses the limits
as the requests. Init containers are not judged.

## Why is this bad?
Without requests the scheduler places the pod blindly and it is the first to be evicted
under pressure; without limits one leaking or runaway container can starve every other pod
on its node. Both turn one bad deploy into a node-wide outage.

## Example
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2
```

## Use instead
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2
    resources:
      requests: {cpu: 100m, memory: 256Mi}
      limits: {memory: 512Mi}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, containers, workloads
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF008", "missing-resources", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report containers without resource requests and limits."""
    for workload in workloads(ctx):
        for container in containers(workload, init=False):
            resources = container.node.get_map("resources")
            requests = resources.get_map("requests") if resources else None
            limits = resources.get_map("limits") if resources else None
            if limits:
                continue
            if not requests:
                yield RawFinding(RULE.code, container.node.line,
                                 f"container `{container.label}` has no resource requests or limits",
                                 snippet=f"resources:{container.key}", subject=container.subject)
            elif resources is not None:
                yield RawFinding(RULE.code, container.node.line_of("resources"),
                                 f"container `{container.label}` has resource requests but no limits",
                                 snippet=f"limits:{container.key}", severity=Severity.LOW,
                                 subject=container.subject)


CHECK = FileCheck(RULE, MANIFEST, find)
