"""## What it does
Flags a Kubernetes container that may run as root.

In detail, it flags a Kubernetes container or init container that may run as root: neither it nor its pod
sets `runAsNonRoot: true` or a non-zero `runAsUser`, or the container explicitly sets
`runAsUser: 0` or `runAsNonRoot: false`. The container's own securityContext wins over the
pod's, as in Kubernetes. Pods scheduled on Windows nodes are not judged.

## Why is this bad?
Most images run as root unless told otherwise. A root process in a container can write to
every file in it, and turns any kernel or runtime escape into root on the node.
`runAsNonRoot: true` makes the kubelet refuse to start the container as root, whatever the
image says.

## Example
```yaml
spec:
  containers:
    - name: api
      image: ghcr.io/acme/api:1.4.2
```

## Use instead
```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: api
      image: ghcr.io/acme/api:1.4.2
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, Container, Workload, containers, workloads
from app.checks.infrastructure.yaml_tree import YMap
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF011", "container-runs-as-root", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__, setting=True)


def _verdict(context: YMap | None) -> bool | None:
    """Return True (non-root), False (root) or None (not said) from one securityContext."""
    if context is None:
        return None
    user = context.get("runAsUser")
    uid = user if isinstance(user, int) and not isinstance(user, bool) else None
    if context.get("runAsNonRoot") is False or uid == 0:
        return False
    if context.get("runAsNonRoot") is True or (uid is not None and uid > 0):
        return True
    return None


def _on_windows(workload: Workload) -> bool:
    """Return whether the pod is pinned to Windows nodes, where runAsNonRoot does not apply."""
    selector = workload.pod_spec.get_map("nodeSelector")
    os_field = workload.pod_spec.get_map("os")
    return bool(selector and selector.get("kubernetes.io/os") == "windows") or bool(
        os_field and os_field.get("name") == "windows"
    )


def _runs_as_root(container: Container) -> bool:
    """Return whether a container may run as root once pod and container contexts are merged."""
    own = _verdict(container.security)
    if own is not None:
        return not own
    return _verdict(container.workload.pod_spec.get_map("securityContext")) is not True


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report containers that may run as root."""
    for workload in workloads(ctx):
        if _on_windows(workload):
            continue
        for container in containers(workload):
            if _runs_as_root(container):
                yield RawFinding(RULE.code, container.node.line,
                                 f"container `{container.label}` may run as root: set runAsNonRoot: true",
                                 snippet=f"root:{container.key}", subject=container.subject)


CHECK = FileCheck(RULE, MANIFEST, find)
