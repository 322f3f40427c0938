"""## What it does
Flags kubeconfig files that carry credentials: a client key, a user token, or auth-provider secrets.

A kubeconfig is a YAML document with `clusters` and `users` (or `contexts`), whatever the file is
called (`config`, `kubeconfig`, `admin.conf`, `*.kubeconfig`), also when the whole file, or a value
holding it, is committed in base64. Under `users:` it flags:
- `client-key-data`, the client certificate's private key (a `client-key` path to a key file is
  not flagged: the key is not in the file);
- `token` (a bearer token, typically a service account's);
- `auth-provider.config` secrets (`client-secret`, `id-token`, `refresh-token`, `access-token`).

References (`${TOKEN}`, `{{ .token }}`) and empty values are not flagged. In test code a kubeconfig is a
fixture: its findings are `low` and do not weigh on the score (an embedded private key is still
reported by `hardcoded-private-key`). Certificates
(`certificate-authority-data`, `client-certificate-data`) are public and never flagged. The message
names the user entry, never the value.

## Why is this bad?
A kubeconfig with a client key or token is a login to the cluster with that user's rights, often
cluster-admin: whoever reads the repository can read every Secret, run pods and take over the nodes.
The credential stays in git history after the file is deleted, so it must be revoked.

## Example
```yaml
users:
  - name: admin
    user:
      client-certificate-data: LS0tLS1CRUdJTi...
      client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVkt...
```

## Use instead
```yaml
users:
  - name: admin
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: aws
        args: [eks, get-token, --cluster-name, prod]
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.yaml_tree import YMap, mappings
from app.checks.security._common import HISTORY_NOTE, is_test_path, secret_snippet
from app.checks.security._encoded import with_encoded
from app.checks.security._secrets import REFERENCE, is_placeholder
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC009", "kubeconfig-credentials", Domain.SECURITY, Severity.HIGH, __doc__)

KINDS = frozenset({"yaml", "text"})
USER_SECRETS = ("client-key-data", "token")
AUTH_PROVIDER_SECRETS = ("client-secret", "id-token", "refresh-token", "access-token")


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report the embedded keys, tokens and auth-provider secrets of a kubeconfig's users."""
    if "clusters" not in ctx.text or "users" not in ctx.text:
        return
    in_tests = is_test_path(ctx.path)
    for doc in mappings(ctx):
        if is_kubeconfig(doc):
            for finding in _user_findings(doc):
                # A test's kubeconfig is a fixture: listed, not weighed (an embedded key is still SEC003's).
                yield replace(finding, severity=Severity.LOW, weighs=False) if in_tests else finding


def is_kubeconfig(doc: YMap) -> bool:
    """Return whether a YAML document is a kubeconfig (`kind: Config`, or clusters with users or contexts)."""
    if doc.get("kind") == "Config" and "users" in doc:
        return True
    return isinstance(doc.get("clusters"), list) and ("users" in doc or "contexts" in doc)


def _user_findings(doc: YMap) -> Iterator[RawFinding]:
    """Yield a finding per credential of each entry under `users:`."""
    users = doc.get_list("users")
    for entry in users.maps() if users else []:
        name = str(entry.get("name", "?"))
        user = entry.get_map("user")
        if user is None:
            continue
        for key in USER_SECRETS:
            if _is_literal(user.get(key)):
                yield _finding(user.line_of(key), name, key, str(user.get(key)))
        provider = user.get_map("auth-provider")
        config = provider.get_map("config") if provider else None
        for key in AUTH_PROVIDER_SECRETS if config else ():
            if config is not None and _is_literal(config.get(key)):
                yield _finding(config.line_of(key), name, f"auth-provider {key}", str(config.get(key)))


def _is_literal(value: object) -> bool:
    """Return whether a kubeconfig value is an embedded credential, not empty, a reference or a filler."""
    if not isinstance(value, str) or len(value.strip()) < 8:
        return False
    text = value.strip()
    # A JWT reads like a dotted name, so only template and shell references count as references here.
    # Long encoded keys contain filler-like words by chance (`tbd`, `null`): only short values can be fillers.
    return not (REFERENCE.search(text) or (len(text) < 64 and is_placeholder(text)))


def _finding(line: int, user: str, what: str, value: str) -> RawFinding:
    """Build the finding for one credential of one kubeconfig user."""
    return RawFinding(
        RULE.code, line, f"kubeconfig user `{user}` embeds its `{what}`; use an exec plugin or a short-lived "
        f"token from the CI's secret store. {HISTORY_NOTE}", snippet=secret_snippet(f"kubeconfig:{user}:{what}", value),
    )


CHECK = FileCheck(RULE, KINDS, with_encoded(find), judges_generated=True)
