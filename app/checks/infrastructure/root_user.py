"""## What it does
Flags a Dockerfile whose final image runs as root.

In detail, it flags a Dockerfile whose final image runs as root: its last `USER` (in the final stage or
the stages it is built from) is `root` or `0`, or there is no `USER` at all.

A base image that is known to run as a non-root user by default (names or tags with
`nonroot`, `non-root`, `unprivileged` or `rootless`, Chainguard and Bitnami images) is not
flagged, nor is a `USER` given by a variable. Windows images, WebAssembly images (`FROM
--platform=wasi/...`, or `scratch` with a `.wasm` entry point: a Wasm module has no user to switch
from) and dev-container Dockerfiles (under `.devcontainer/`) are skipped: they are not Linux images
that ship.

## Why is this bad?
A process running as root inside a container is root on the files it can reach, can
install software at run time, and turns any container-escape bug into root on the host.
Most services need no privilege at all.

## Example
```dockerfile
FROM python:3.12-slim
COPY . /app
CMD ["python", "-m", "app"]
```

## Use instead
```dockerfile
FROM python:3.12-slim
RUN useradd --create-home --uid 10001 app
COPY . /app
USER app
CMD ["python", "-m", "app"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import DOCKERFILE, FileCheck, FileContext, rule
from app.checks.infrastructure.dockerfile import Instruction, Stage, is_dev_container, is_wasm_image, parse
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF003", "root-user", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__)

_ROOT_USERS = frozenset({"root", "0"})
_NON_ROOT_IMAGE = re.compile(r"non-?root|unprivileged|rootless|^(?:[\w.-]+/)?(?:chainguard|bitnami)/", re.I)
_WINDOWS_IMAGE = re.compile(r"windows|nanoserver|servercore", re.I)


def _last_user(stage: Stage) -> Instruction | None:
    """Return the USER instruction in force at the end of a stage, following its parent stages."""
    for ancestor in stage.lineage():
        users = ancestor.find("USER")
        if users:
            return users[-1]
    return None


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report a final image that runs as root."""
    stages = parse(ctx).stages
    if not stages or is_dev_container(ctx):
        return
    final = stages[-1]
    image = final.lineage()[-1].image
    if _WINDOWS_IMAGE.search(image) or is_wasm_image(final):
        return
    user = _last_user(final)
    if user is None:
        if not _NON_ROOT_IMAGE.search(image):
            yield RawFinding(RULE.code, final.start.line, "the final image has no USER, so it runs as root",
                             snippet="root-user:no-user")
        return
    name = (user.words() or [""])[0].split(":", 1)[0].lower()
    if name in _ROOT_USERS:
        yield RawFinding(RULE.code, user.line, f"the final image runs as `{name}`", snippet="root-user:root")


CHECK = FileCheck(RULE, DOCKERFILE, find)
