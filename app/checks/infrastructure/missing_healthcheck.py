"""## What it does
Flags a Dockerfile whose final image has no `HEALTHCHECK`.

In detail, it flags a Dockerfile whose final image has no `HEALTHCHECK` (in its own stage or the stages
it is built from). `HEALTHCHECK NONE` is a deliberate choice and is not flagged.
Dev-container Dockerfiles (under `.devcontainer/`) are skipped.

## Why is this bad?
Without a health check, Docker, Compose and Swarm only know whether the process exists,
not whether it serves: a hung or deadlocked service stays "up" and keeps receiving work.
It is a smell rather than a defect (Kubernetes ignores `HEALTHCHECK` and uses probes, and
images for command-line tools need none), hence the low severity.

## Example
```dockerfile
FROM python:3.12-slim
CMD ["gunicorn", "app:app"]
```

## Use instead
```dockerfile
FROM python:3.12-slim
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["gunicorn", "app:app"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import DOCKERFILE, FileCheck, FileContext, rule
from app.checks.infrastructure.dockerfile import is_dev_container, parse
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF004", "missing-healthcheck", Domain.INFRASTRUCTURE, Severity.LOW, __doc__)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report a final image without a HEALTHCHECK."""
    stages = parse(ctx).stages
    if not stages or is_dev_container(ctx):
        return
    final = stages[-1]
    if any(stage.find("HEALTHCHECK") for stage in final.lineage()):
        return
    yield RawFinding(RULE.code, final.start.line, "the final image has no HEALTHCHECK", snippet="missing-healthcheck")


CHECK = FileCheck(RULE, DOCKERFILE, find)
