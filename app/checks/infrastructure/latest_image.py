"""## What it does
Flags a Kubernetes container image or a docker-compose service image with no tag or the `latest` tag.

In detail, it flags a Kubernetes container or init container whose image has the `latest` tag
(medium) or no tag at all (low: deploy tools such as kustomize's `images:`, skaffold, Tilt
or ko often set the tag of a bare image name, which this file check cannot see), and no
digest. docker-compose services are judged the same way, unless the service also has `build:` (then
`image:` names what the build produces, not what is pulled); in local, test or example set-ups
(`docker-compose.override.yml`, `docker-compose.dev.yml`, files under `tests/` or `examples/`) both
are low. Images filled in later (`${TAG}`, `{{ .Values.tag }}`, `ko://...`) are not judged.

## Why is this bad?
`latest` (which an untagged image means) moves: two nodes pulling at different times run
different code, a rollback redeploys the new broken version, and nobody can tell from the
manifest what is running. With `imagePullPolicy: IfNotPresent` nodes can even keep stale
copies indefinitely.

## Example
```yaml
# docker-compose.yml
services:
  cache:
    image: redis:latest
```
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
from app.checks.infrastructure.compose import services
from app.checks.infrastructure.images import is_templated, split_image
from app.checks.infrastructure.kube import MANIFEST, containers, workloads
from app.checks.security._common import is_dev_path
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF010", "latest-image", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report containers and compose services whose image floats."""
    yield from _compose_findings(ctx)
    for workload in workloads(ctx):
        for container in containers(workload):
            image = str(container.node.get("image"))
            ref = split_image(image)
            if is_templated(image) or image.startswith("ko://") or not ref.name or not ref.floating:
                continue
            if ref.tag:
                yield RawFinding(RULE.code, container.node.line_of("image"),
                                 f"container `{container.label}` image `{ref.name}` has the `latest` tag",
                                 snippet=f"image:{container.key}", subject=container.subject)
            else:
                yield RawFinding(RULE.code, container.node.line_of("image"),
                                 f"container `{container.label}` image `{ref.name}` has no tag (unless a deploy "
                                 "tool such as kustomize or skaffold sets it)",
                                 snippet=f"image:{container.key}", severity=Severity.LOW,
                                 subject=container.subject)


def _compose_findings(ctx: FileContext) -> Iterator[RawFinding]:
    """Report compose services that pull an image on `latest` or with no tag."""
    folder = ctx.path.rsplit("/", 1)[0] if "/" in ctx.path else ""
    local = is_dev_path(ctx.path)
    for name, service in services(ctx):
        image = service.get("image")
        if not isinstance(image, str) or "build" in service or is_templated(image):
            continue
        ref = split_image(image)
        if not ref.name or not ref.floating:
            continue
        # Override files re-declare the same service: the folder and the service name identify it.
        subject, snippet = f"compose:{folder}/{name}", f"image:compose/{name}"
        line = service.line_of("image")
        if ref.tag:
            # A local or test set-up (`docker-compose.override.yml`, `dev/compose.yml`) deploys nothing.
            yield RawFinding(RULE.code, line, f"compose service `{name}` image `{ref.name}` has the `latest` tag",
                             snippet=snippet, subject=subject, severity=Severity.LOW if local else None)
        else:
            yield RawFinding(RULE.code, line, f"compose service `{name}` image `{ref.name}` has no tag, so it "
                             "pulls `latest`", snippet=snippet, severity=Severity.LOW, subject=subject)


CHECK = FileCheck(RULE, MANIFEST, find)
