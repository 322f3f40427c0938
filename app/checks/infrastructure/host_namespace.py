"""## What it does
Flags a Kubernetes pod that shares the host's network, PID or IPC namespace.

In detail, it flags a Kubernetes pod spec that shares a host namespace: `hostNetwork: true`,
`hostPID: true` or `hostIPC: true`.

## Why is this bad?
With the host's network a pod can bind node ports, reach services that listen only on the
node, and sniff traffic; with the host's PID namespace it can see and signal every process
on the node; with its IPC namespace it can read other processes' shared memory. Node agents
that really need this should be suppressed with a reason.

## Example
```yaml
spec:
  hostNetwork: true
  containers: [...]
```

## Use instead
```yaml
spec:
  containers: [...]   # expose ports through a Service instead
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, workloads
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF013", "host-namespace", Domain.INFRASTRUCTURE, Severity.HIGH, __doc__, setting=True)

_HOST_KEYS = ("hostNetwork", "hostPID", "hostIPC")


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report pod specs that share the host's network, PID or IPC namespace."""
    for workload in workloads(ctx):
        for key in _HOST_KEYS:
            if workload.pod_spec.get(key) is True:
                yield RawFinding(RULE.code, workload.pod_spec.line_of(key),
                                 f"`{workload.label}` sets {key}: true", snippet=f"{key}:{workload.name}",
                                 subject=workload.subject)


CHECK = FileCheck(RULE, MANIFEST, find)
