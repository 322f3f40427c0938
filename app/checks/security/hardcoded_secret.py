"""## What it does
Flags literal secrets under secret-looking names, and passwords inside URLs, in any text file.

A name is secret-looking when its last word says so: `password`, `passwd`, `secret`, `token`,
`api_key`, `access_key`, `secret_key`, `private_key`, `client_secret`, `credentials`, `auth`, ...
(`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `public_key`, `next_page_token` are not). Every text
file is read: Python assignments, keyword arguments, parameter defaults, dict items and setter calls;
YAML, JSON and TOML keys (Kubernetes `name`/`value` env lists and compose `KEY=value` lists
included); `.env` lines; Dockerfile `ENV`/`ARG`; `key = value` lines of any other text (INI,
properties, shell, JavaScript, ...). URL credentials look like `postgres://app:<password>@db/app`;
in Python only string literals count, not docstrings or comments.

To stay precise it only flags values that look generated or strong: at least 8 characters with no
spaces, a mix of character classes and enough entropy for their length. It skips placeholders
(`changeme`, `xxx`, `<token>`, `your-api-key`, anything containing `example`, `dummy`, `test`,
`secret`, `password`, ...), references (`${VAR}`, `{{ .Values.x }}`, `$VAR`, `os.environ[...]`,
`settings.X`, `GITHUB_TOKEN`, file paths, URLs, `vault:` and `arn:` references, `!vault` tags, SOPS
`ENC[...]`), regular expressions, version numbers, password hashes and sealed (encrypted) secrets.
Base64 values (Kubernetes `Secret` data) are judged on what they decode to. In code-like text a bare
word is a variable, so only quoted values count there, except under upper-case names (`API_TOKEN=...`
in a shell script). Weak well-known values such as `admin` are SEC004's business; provider tokens with
a known format are SEC002's.

Two cases are `low` instead. Literal values in test code (tests, fixtures, `conftest.py`) are fixture
credentials: the password of a user a test creates, the signing secret a test verifies with, unlock
nothing real; they are listed but do not weigh on the score. Real provider tokens (SEC002) are judged by
their own check and stay severe anywhere, tests included. The other case
is values under OpenAPI `example`/`examples` keys and in documentation (Markdown, reStructuredText,
AsciiDoc, and text files under `docs/`), where examples invent keys.
Not flagged: Algolia's search-only keys (a name with `search` in it, or under an `algolia` or
`docsearch` section, in a file that uses Algolia), which Algolia hands to every browser by design.
The message and the fingerprint never contain the value, only the name and a hash of it.

## Why is this bad?
Anything committed is readable by everyone with access to the repository, its forks, clones, CI logs
and backups, forever: deleting it later does not remove it from history. A leaked credential must be
rotated, and until it is, anyone holding a copy can use it.

## Example
```python
STRIPE_WEBHOOK_SECRET = "w8Hq2LxT9vKfR3mZ"
```
```yaml
env:
  - name: DB_PASSWORD
    value: "Xk29fLq8mZ!"
```

## Use instead
```python
STRIPE_WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
```
```yaml
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db, key: password}
```
Then rotate the leaked value: removing it from the code does not make it secret again.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote as url_unquote

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.checks.security._common import FIXTURE_NOTE, HISTORY_NOTE, is_test_path, name_words, secret_snippet
from app.checks.security._encoded import with_encoded
from app.checks.security._pairs import Pair, is_code_word, pairs
from app.checks.security._secrets import (
    PROVIDER_RE,
    is_aws_secret,
    is_secret_name,
    is_secret_value,
    strip_scheme,
    url_credentials,
)
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC001", "hardcoded-secret", Domain.SECURITY, Severity.HIGH, __doc__)

# Unquoted values are literals in these kinds; in code-like text a bare word is usually a variable.
BARE_LITERAL_KINDS = frozenset({"env", "dockerfile", "yaml", "workflow"})
# Keys under these hold encrypted values (Bitnami SealedSecret, SOPS metadata).
ENCRYPTED_PARENTS = frozenset({"encryptedData", "encrypted_data", "sops"})
# OpenAPI and JSON Schema documentation values.
DOC_PARENTS = frozenset({"example", "examples", "x-example"})


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report literal secrets under secret names, and passwords inside URLs."""
    severity = Severity.LOW if is_documentation(ctx) else None
    in_tests = is_test_path(ctx.path)
    flagged: set[int] = set()
    for pair in pairs(ctx):
        if is_hardcoded_secret(ctx, pair) and pair.line not in flagged:
            flagged.add(pair.line)
            message = f"hard-coded secret assigned to `{pair.key}`; load it from the environment or a secret manager"
            yield RawFinding(
                RULE.code, pair.line, f"{message}. {FIXTURE_NOTE if in_tests else HISTORY_NOTE}",
                snippet=secret_snippet(pair.key, pair.value), severity=severity or _grade(pair, in_tests),
                weighs=not in_tests,
            )
    for cred in url_credentials(ctx):
        password = url_unquote(cred.password)
        if cred.line not in flagged and not PROVIDER_RE.search(password) and is_secret_value(password):
            flagged.add(cred.line)
            yield RawFinding(
                RULE.code, cred.line, f"password written into a {cred.scheme}:// URL for user `{cred.user}`; "
                "take it from the environment and rotate it",
                snippet=secret_snippet(f"{cred.scheme}://{cred.user}@{cred.host}", password),
                severity=Severity.LOW if in_tests else severity, weighs=not in_tests,
            )


DOC_EXTENSIONS = (".rst", ".adoc", ".asciidoc", ".rdoc")


def is_documentation(ctx: FileContext) -> bool:
    """Return whether a file is prose documentation (Markdown, reStructuredText, text under docs/)."""
    if ctx.kind == "markdown" or ctx.name.lower().endswith(DOC_EXTENSIONS):
        return True
    path = f"/{ctx.path}"
    return ctx.kind == "text" and ("/docs/" in path or "/doc/" in path)


def _grade(pair: Pair, in_tests: bool) -> Severity | None:
    """Return `low` for documentation examples, and for passwords of users that tests create."""
    if DOC_PARENTS & set(pair.parents):
        return Severity.LOW
    # A fixture credential unlocks nothing real; live provider tokens and keys are SEC002's and SEC003's.
    return Severity.LOW if in_tests else None


def is_hardcoded_secret(ctx: FileContext, pair: Pair) -> bool:
    """Return whether a setting is a real secret value under a secret name."""
    if not is_secret_name(pair.key) or not _is_literal(ctx, pair) or ENCRYPTED_PARENTS & set(pair.parents):
        return False
    if pair.parents[:2] == ("users", "user"):
        return False  # a kubeconfig user's credentials: SEC009 reports them, once
    value = strip_scheme(pair.value)
    if PROVIDER_RE.search(value) or is_aws_secret(pair.key, value):
        return False  # SEC002 reports it, with the provider's name
    return is_secret_value(value) and not _is_public_search_key(ctx, pair)


PUBLIC_SEARCH_SECTIONS = frozenset({"algolia", "docsearch"})


def _is_public_search_key(ctx: FileContext, pair: Pair) -> bool:
    """Return whether a key is Algolia's search-only key, public by design (reflex-dev/reflex 8612978ed3)."""
    named = "search" in name_words(pair.key) or bool(PUBLIC_SEARCH_SECTIONS & {p.lower() for p in pair.parents})
    return named and "algolia" in ctx.text.lower()


def _is_literal(ctx: FileContext, pair: Pair) -> bool:
    """Return whether a pair's value is a literal string rather than a bare word of code."""
    if pair.quoted:
        return True
    if ctx.kind in BARE_LITERAL_KINDS:
        return bool(pair.value)
    if ctx.kind in ("text", "markdown"):
        # Shell and INI lines (`API_TOKEN=...`) write literals bare; code (`token: userToken`) does not.
        return not is_code_word(ctx, pair)
    return False


# A header saying "generated" is easy to add: secrets are still looked for in generated files.
CHECK = FileCheck(RULE, ANY_TEXT, with_encoded(find), judges_generated=True)
