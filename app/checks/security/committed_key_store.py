"""## What it does
Flags files that are secrets by nature, judged by their name: key stores and private key files.

That is PKCS#12 bundles (`*.p12`, `*.pfx`), Java key stores (`*.jks`, `*.keystore`), PuTTY keys
(`*.ppk`) and SSH private keys named as `ssh-keygen` writes them (`id_rsa`, `id_dsa`, `id_ecdsa`,
`id_ed25519`, without `.pub`). These are often binary, so no text check can read them: their name is
the evidence. A text key file whose key block `hardcoded-private-key` already reports is not reported
twice. Installed and vendored trees (`node_modules/`, `site-packages/`, `vendor/`) and the policy's
excluded paths are not judged.

Private keys in PEM files (`*.pem`, `*.key`), service-account JSON with a `private_key`, and `.env`
files with literal secret values are reported by `hardcoded-private-key` and `hardcoded-secret`.

## Why is this bad?
A key store holds a private key, usually with the certificate that makes it trusted: with it anyone
can impersonate the service or sign as it. Password protection of such files is weak (the password is
often empty, `changeit`, or committed next to them), and the file stays in git history after it is
deleted, so the key must be revoked and replaced.

## Example
```text
deploy/certs/server.p12
ops/id_rsa
```

## Use instead
Keep key stores in a secret manager or the CI's secret store and mount them at run time; add their
patterns to `.gitignore`.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, matches_any, rule
from app.checks.facts.python_paths import GENERATED_DIRS
from app.checks.security._common import HISTORY_NOTE
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC010", "committed-key-store", Domain.SECURITY, Severity.HIGH, __doc__)

KEY_STORE_SUFFIXES = {".p12": "PKCS#12 key store", ".pfx": "PKCS#12 key store", ".jks": "Java key store",
                      ".keystore": "Java key store", ".ppk": "PuTTY private key"}
SSH_KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"})
# Vendored trees whose files are not the project's (the generated-code folders less build output).
_NOT_THE_PROJECT = GENERATED_DIRS - {"build", "dist", "migrations", "alembic"}


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report key stores and SSH private key files by name."""
    for path in sorted(view.all_paths):
        what = key_file_kind(path)
        if not what or _not_judged(view, path) or _reported_as_text(view, path):
            continue
        yield RepoFinding(path, RawFinding(
            RULE.code, 0, f"{what} committed; revoke the key it holds and keep the file in a secret store. "
            f"{HISTORY_NOTE}", snippet=f"key-store:{what}",
        ))


def key_file_kind(path: str) -> str:
    """Return what kind of key file a path names, or an empty string."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in SSH_KEY_NAMES:
        return "SSH private key"
    for suffix, what in KEY_STORE_SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return what
    return ""


def _not_judged(view: RepoView, path: str) -> bool:
    """Return whether a path is excluded by policy or sits in an installed or vendored tree."""
    parts = path.split("/")[:-1]
    return matches_any(path, view.policy.paths.exclude) or any(part in _NOT_THE_PROJECT for part in parts)


def _reported_as_text(view: RepoView, path: str) -> bool:
    """Return whether a text key file already carries a private-key finding (reported once, not twice)."""
    facts = view.files.get(path)
    return facts is not None and any(f.code == "SEC003" for f in facts.findings)


CHECK = RepoCheck(RULE, find)
