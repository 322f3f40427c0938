"""## What it does
Flags a Kubernetes ConfigMap holding a secret-looking key with a literal value.

In detail, it flags a Kubernetes ConfigMap whose `data` has a secret-looking key (`DB_PASSWORD`,
`API_KEY`, `JWT_SECRET`, `GITHUB_TOKEN`...) with a literal, non-empty value.

Only the key's last word counts (`PASSWORD_FILE`, `TOKEN_URL` and `SECRET_NAME` are
references, not secrets), and references (`$VAR`, paths) and placeholders (`changeme`,
`<token>`) are not flagged. The value never appears in the report.

## Why is this bad?
ConfigMaps are not secret: they are readable by anyone with `get configmaps` in the
namespace, shown by `kubectl describe`, mounted in plain text and, here, committed to the
repository. Secrets belong in a Secret (ideally fed by an external secret store or sealed),
referenced from the pod.

## Example
```yaml
kind: ConfigMap
data:
  DB_HOST: db.internal
  DB_PASSWORD: hunter2-prod
```

## Use instead
```yaml
kind: ConfigMap
data:
  DB_HOST: db.internal
---
# DB_PASSWORD comes from a Secret (ExternalSecret, SealedSecret...) via secretKeyRef
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.kube import MANIFEST, is_core, object_subject, objects
from app.checks.infrastructure.secret_names import is_literal_secret, is_secret_name
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF015", "secret-in-configmap", Domain.INFRASTRUCTURE, Severity.HIGH, __doc__)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report secret-looking keys with literal values in ConfigMap data."""
    for doc in objects(ctx):
        data = doc.get_map("data") if is_core(doc, "ConfigMap") else None
        if data is None:
            continue
        metadata = doc.get_map("metadata")
        name = metadata.get("name", "?") if metadata else "?"
        for key, value in data.items():
            if isinstance(key, str) and is_secret_name(key) and is_literal_secret(value):
                yield RawFinding(RULE.code, data.line_of(key),
                                 f"ConfigMap `{name}` holds a literal secret in `{key}`: use a Secret",
                                 snippet=f"ConfigMap/{name}:{key}", subject=object_subject(doc))


CHECK = FileCheck(RULE, MANIFEST, find)
