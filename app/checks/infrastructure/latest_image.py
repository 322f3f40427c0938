"""## What it does
Flags a Kubernetes container image with no tag or the `latest` tag.

In detail, it flags a Kubernetes container or init container whose image has the `latest` tag
(medium) or no tag at all (low: deploy tools such as kustomize's `images:`, skaffold, Tilt
or ko often set the tag of a bare image name, which this file check cannot see), and no
digest. Images filled in later (`${TAG}`, `{{ .Values.tag }}`, `ko://...`) are not judged.

## Why is this bad?
`latest` (which an untagged image means) moves: two nodes pulling at different times run
different code, a rollback redeploys the new broken version, and nobody can tell from the
manifest what is running. With `imagePullPolicy: IfNotPresent` nodes can even keep stale
copies indefinitely.

## Example
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:latest
```

## Use instead
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2@sha256:<digest>
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.images import is_templated, split_image
from app.checks.infrastructure.kube import MANIFEST, containers, workloads
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF010", "latest-image", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report containers whose image floats."""
    for workload in workloads(ctx):
        for container in containers(workload):
            image = str(container.node.get("image"))
            ref = split_image(image)
            if is_templated(image) or image.startswith("ko://") or not ref.name or not ref.floating:
                continue
            if ref.tag:
                yield RawFinding(RULE.code, container.node.line_of("image"),
                                 f"container `{container.label}` image `{ref.name}` has the `latest` tag",
                                 snippet=f"image:{container.label}")
            else:
                yield RawFinding(RULE.code, container.node.line_of("image"),
                                 f"container `{container.label}` image `{ref.name}` has no tag (unless a deploy "
                                 "tool such as kustomize or skaffold sets it)",
                                 snippet=f"image:{container.label}", severity=Severity.LOW)


CHECK = FileCheck(RULE, MANIFEST, find)
