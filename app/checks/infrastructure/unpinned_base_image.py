"""## What it does
Flags a Dockerfile `FROM` whose base image has no tag or the `latest` tag.

`scratch` and references to earlier build stages are fine. A tag built from a global `ARG`
is resolved from the ARG's default; when the ARG has no default (it is always passed with
`--build-arg`), the pin is decided at build time and the line is not flagged.

## Why is this bad?
`FROM python` and `FROM python:latest` mean whatever was pushed last: the same commit
builds a different image next week, with a new major version of the runtime or the OS,
and a build that worked breaks (or silently changes behaviour) without any change in the
repository. A digest (`@sha256:...`) is the strongest pin; a version tag is the minimum.

## Example
```dockerfile
FROM python
FROM node:latest AS web
```

## Use instead
```dockerfile
FROM python:3.12-slim
FROM node:20.11-alpine@sha256:<digest> AS web
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import DOCKERFILE, FileCheck, FileContext, rule
from app.checks.infrastructure.dockerfile import parse
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF002", "unpinned-base-image", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__, setting=True)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report each FROM whose external base image floats."""
    dockerfile = parse(ctx)
    for stage in dockerfile.stages:
        image = dockerfile.base_image(stage)
        if image is None or not image.floating or not image.name:
            continue
        why = "the `latest` tag" if image.tag else "no tag"
        yield RawFinding(
            RULE.code,
            stage.start.line,
            f"base image `{image.name}` has {why}: pin a version tag or a digest",
            snippet=f"from:{image.name}",
        )


CHECK = FileCheck(RULE, DOCKERFILE, find)
