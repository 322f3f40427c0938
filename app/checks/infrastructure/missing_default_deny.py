"""## What it does
Flags Kubernetes workloads without a default-deny ingress NetworkPolicy.

In detail, it flags a repository whose Kubernetes manifests define workloads but no default-deny ingress
NetworkPolicy: a NetworkPolicy with an empty `podSelector`, `Ingress` among its
`policyTypes` (or no `policyTypes`), and no `ingress` rules. The finding is reported once,
on the first manifest (by path) that defines a workload.

It is a low severity smell, not a block: clusters often get their baseline policies from
another repository or a cluster-wide policy (Calico, Cilium) that Verity cannot see, and
Helm templates are not read.

## Why is this bad?
Kubernetes lets every pod talk to every other pod unless a NetworkPolicy selects it. One
compromised pod can then reach every database and internal API in the cluster. A
default-deny policy turns that around: traffic is refused unless a policy allows it.

## Example
```yaml
# deployment.yaml only; nothing restricts who can reach the pods
kind: Deployment
```

## Use instead
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
spec:
  podSelector: {}
  policyTypes: ["Ingress"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF017", "missing-default-deny-network-policy", Domain.INFRASTRUCTURE, Severity.LOW, __doc__)


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report workloads in a repository that has no default-deny NetworkPolicy."""
    first_workload = ""
    for path in sorted(view.files):
        data = view.data(path, "infra.k8s") or {}
        if data.get("default_deny"):
            return
        if data.get("workloads") and not first_workload:
            first_workload = path
    if first_workload:
        yield RepoFinding(first_workload, RawFinding(
            RULE.code, 0, "workloads are defined but no default-deny ingress NetworkPolicy exists",
            # About the repository, not the file it is shown on: a new first manifest does not make it new.
            snippet="missing-default-deny-network-policy", subject="repository"))


CHECK = RepoCheck(RULE, find)
