"""## What it does
Flags a long-running Kubernetes container without readiness or liveness probes.

In detail, it flags a container of a long-running workload (Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController) that has no readiness probe or no liveness probe.
Jobs, CronJobs, bare Pods and init containers are not judged: they run to completion.

## Why is this bad?
Without a readiness probe a pod receives traffic as soon as its process starts, before it
can serve, and keeps receiving it while it is broken; rolling updates then ship a broken
version to every replica. Without a liveness probe a deadlocked process is never restarted.
It is a smell (a sidecar may legitimately have none), hence the low severity.

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
    readinessProbe:
      httpGet: {path: /readyz, port: 8080}
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, containers, workloads
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF009", "missing-probes", Domain.INFRASTRUCTURE, Severity.LOW, __doc__, setting=True)

_PROBES = ("readinessProbe", "livenessProbe")


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report containers of long-running workloads that lack a readiness or liveness probe."""
    for workload in workloads(ctx):
        if not workload.long_running:
            continue
        for container in containers(workload, init=False):
            missing = [p for p in _PROBES if not container.node.get_map(p)]
            if missing:
                yield RawFinding(RULE.code, container.node.line,
                                 f"container `{container.label}` has no {' or '.join(missing)}",
                                 snippet=f"probes:{container.key}", subject=container.subject)


CHECK = FileCheck(RULE, MANIFEST, find)
