"""## What it does
Flags well-known default or guessable passwords (`admin`/`admin`, `changeme`) set as real settings.

That is a password or secret set to `admin`, `password`, `changeme`, `changeit`, `123456`, `root`,
`guest`, `letmein`, `postgres`, `minioadmin`, ..., or a password equal to the user name beside it
(`POSTGRES_USER: app` with `POSTGRES_PASSWORD: app`; beside means in the same mapping, dict or call,
or the same file for `.env` and Dockerfiles, with the same prefix). It reads Python (assignments,
keyword arguments, dict items), YAML, JSON, TOML, `.env` files, Dockerfile `ENV`/`ARG`, `key = value`
text, and `scheme://user:password@host` URLs that point at another machine (in Python, URLs in string
literals only; `user:pass@host`-style explanations are skipped).

Where such a value harms no deployment the finding is `low`: test code, local development set-ups
(`docker-compose.override.yml`, `settings/local.py`, paths under `dev/`, `examples/`, `docs/`), CI
workflows, whose service containers live for one job (also a project template's own
`.github/workflows/`, as cookiecutter ships them), and Python parameter defaults (an API's
fallback, not a deployed setting). In test code such fixture credentials are listed but do not weigh
on the security score. Only literal values count: in TypeScript, Go or Java text `password: string`
is a type and `password = await resolve(...)` a call, never a credential. Templates meant to be
copied and filled in (`.env.example`, `config.sample.yml`), Markdown and type stubs are not judged,
nor are template placeholders (`{{ password }}`, `${PASSWORD}`, `%(password)s`, `<password>`,
`__PASSWORD__`): a slot filled in later is no credential. `changeme` is one: a default that ships.
The message names the setting, never the value.

## Why is this bad?
Default credentials are the first thing an attacker tries: lists of them ship with every scanner, and
a service reachable with `admin`/`admin` is as good as open. A default committed "for now" tends to
reach production, because nothing fails when it does.

## Example
```yaml
services:
  rabbitmq:
    environment:
      RABBITMQ_DEFAULT_USER: admin
      RABBITMQ_DEFAULT_PASS: admin
```

## Use instead
```yaml
services:
  rabbitmq:
    environment:
      RABBITMQ_DEFAULT_USER: ${RABBITMQ_USER}
      RABBITMQ_DEFAULT_PASS: ${RABBITMQ_PASSWORD}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote as url_unquote

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.checks.security._common import (
    FIXTURE_NOTE,
    is_template_path,
    is_test_path,
    name_words,
    relaxed,
    secret_snippet,
)
from app.checks.security._pairs import Pair, is_code_word, pairs
from app.checks.security._secrets import (
    is_password_name,
    is_placeholder,
    is_reference,
    is_secret_name,
    is_template_placeholder,
    is_user_name,
    url_credentials,
)
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC004", "default-credentials", Domain.SECURITY, Severity.HIGH, __doc__)

DEFAULT_PASSWORDS = frozenset({
    "admin", "administrator", "admin123", "adminadmin", "password", "password1", "password123", "passw0rd",
    "p@ssw0rd", "p@ssword", "pass", "pass123", "changeme", "change_me", "change-me", "changeit", "123456",
    "1234567", "12345678", "123456789", "1234567890", "1234", "12345", "qwerty", "letmein", "root", "toor",
    "guest", "welcome", "secret", "postgres", "mysql", "minioadmin", "sa",
})
# Secret names whose values are often a word with another meaning (`credentials: default`).
AMBIGUOUS_LAST_WORDS = frozenset({"auth", "credential", "credentials", "token"})
SKIPPED_KINDS = frozenset({"markdown", "requirements"})
# `https://user:pass@host`: the shape of a URL explained, not a login.
GENERIC_USERS = frozenset({"user", "username", "usr", "login", "name", "me", "foo", "someone", "myuser", "youruser"})


def is_workflow_file(ctx: FileContext) -> bool:
    """Return whether a file is a GitHub Actions workflow: the repository's own, or one a project template ships."""
    return ctx.kind == "workflow" or (ctx.kind == "yaml" and "/.github/workflows/" in ctx.path)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report default passwords, passwords equal to their user name, and both inside URLs."""
    if ctx.kind in SKIPPED_KINDS or is_template_path(ctx.path) or ctx.path.endswith(".pyi"):
        return
    severity = Severity.LOW if is_workflow_file(ctx) else relaxed(ctx.path)
    in_tests = is_test_path(ctx.path)
    found = pairs(ctx)
    users = [p for p in found if is_user_name(p.key) and p.value and not is_code_word(ctx, p)]
    flagged: set[int] = set()
    for pair in found:
        # A credential is a literal value assigned: never a type (`password: string`) or a call.
        message = "" if is_code_word(ctx, pair) else _judge(pair, users)
        if message and pair.line not in flagged:
            flagged.add(pair.line)
            # A parameter's default is an API's fallback, not a deployed setting.
            grade = Severity.LOW if pair.origin == "default" else severity
            yield RawFinding(RULE.code, pair.line, f"{message}. {FIXTURE_NOTE}" if in_tests else message,
                             snippet=secret_snippet(pair.key, pair.value), severity=grade, weighs=not in_tests)
    yield from _url_findings(ctx, flagged, severity)


def _judge(pair: Pair, users: list[Pair]) -> str:
    """Return why a setting is a default credential, or an empty string."""
    if not is_secret_name(pair.key) or name_words(pair.key)[-1] in AMBIGUOUS_LAST_WORDS:
        return ""
    if is_template_placeholder(pair.value):
        return ""  # `{{ password }}`, `__PASSWORD__`: a slot filled in later, not a credential
    if pair.value.strip().lower() in DEFAULT_PASSWORDS:
        return f"`{pair.key}` is set to a well-known default password; require a generated one"
    user = _same_user(pair, users)
    if user is not None:
        return f"`{pair.key}` is the same as `{user.key}`; a password equal to the user name is guessed first"
    return ""


def _same_user(pair: Pair, users: list[Pair]) -> Pair | None:
    """Return the sibling user setting whose value the password repeats, if any."""
    value = pair.value.strip()
    if not is_password_name(pair.key) or not any(c.isalnum() for c in value):
        return None
    if is_reference(value) or is_placeholder(value):
        return None
    prefix = name_words(pair.key)[:-1]
    for user in users:
        same_place = user.scope == pair.scope and name_words(user.key)[:-1] == prefix
        if same_place and user.value.strip().lower() == value.lower():
            return user
    return None


def _url_findings(ctx: FileContext, flagged: set[int], severity: Severity | None) -> Iterator[RawFinding]:
    """Report URLs to another machine whose password is a default or the user name."""
    for cred in url_credentials(ctx):
        password = url_unquote(cred.password)
        weak = password.lower() in DEFAULT_PASSWORDS or password.lower() == cred.user.lower()
        generic_user = cred.user.lower() in GENERIC_USERS or cred.user[:1] in "[<{$%"
        placeholder = is_template_placeholder(cred.user) or is_template_placeholder(password)
        if weak and not generic_user and not placeholder and not cred.is_loopback and cred.line not in flagged:
            flagged.add(cred.line)
            yield RawFinding(
                RULE.code, cred.line, f"{cred.scheme}:// URL logs in as `{cred.user}` with a default or "
                "guessable password", snippet=secret_snippet(f"{cred.scheme}://{cred.user}@{cred.host}", password),
                severity=severity,
            )


CHECK = FileCheck(RULE, ANY_TEXT, find)
