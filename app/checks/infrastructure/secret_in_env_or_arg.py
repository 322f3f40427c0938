"""## What it does
Flags a Dockerfile `ENV` or `ARG` that sets a secret-looking name to a literal value.

In detail, it flags a Dockerfile `ENV` or `ARG` that gives a secret-looking name (`DB_PASSWORD`,
`API_KEY`, `GITHUB_TOKEN`, `SECRET_KEY`...) a literal value.

Only the name's last word counts (`PASSWORD_FILE`, `TOKEN_URL` and `SECRET_NAME` name where
a secret lives, not the secret), and values that are references (`$VAR`, paths) or
placeholders (`changeme`, `<token>`, `xxx`) are not flagged. The value never appears in the
report.

## Why is this bad?
`ENV` and `ARG` values are baked into the image metadata and layer history: anyone who can
pull the image reads them with `docker history` or `docker inspect`, and they sit in the
repository's history forever. A build secret belongs in a BuildKit secret mount; a runtime
secret belongs in the orchestrator's secret store.

## Example
```dockerfile
ENV DB_PASSWORD=s3cr3t-pa55
ARG NPM_TOKEN=npm_abcdef123456
```

## Use instead
```dockerfile
RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
# and pass DB_PASSWORD at run time from a secret store
```
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from app.checks.base import DOCKERFILE, FileCheck, FileContext, rule
from app.checks.infrastructure.dockerfile import Instruction, parse
from app.checks.infrastructure.secret_names import is_literal_secret, is_secret_name
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF006", "secret-in-env-or-arg", Domain.INFRASTRUCTURE, Severity.HIGH, __doc__)


def _words(args: str) -> list[str]:
    """Split arguments like a shell, falling back to whitespace on unbalanced quotes."""
    try:
        return shlex.split(args, comments=False, posix=True)
    except ValueError:
        return args.split()


def assignments(instruction: Instruction) -> list[tuple[str, str]]:
    """Return the (name, value) pairs an ENV or ARG sets; ARG without a default sets nothing."""
    words = _words(instruction.args)
    if not words:
        return []
    if instruction.keyword == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]  # legacy `ENV NAME value with spaces`
    pairs = [w.partition("=") for w in words]
    return [(name, value) for name, eq, value in pairs if eq]


def _line_of(ctx: FileContext, instruction: Instruction, name: str) -> int:
    """Return the physical line of a multi-line instruction where a name is set."""
    for line in range(instruction.line, instruction.end_line + 1):
        if name in ctx.line_text(line):
            return line
    return instruction.line


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report each ENV or ARG that sets a secret-looking name to a literal value."""
    for instruction in parse(ctx).instructions:
        if instruction.keyword not in ("ENV", "ARG"):
            continue
        for name, value in assignments(instruction):
            if is_secret_name(name) and is_literal_secret(value):
                yield RawFinding(
                    RULE.code,
                    _line_of(ctx, instruction, name),
                    f"{instruction.keyword} `{name}` bakes a literal secret into the image",
                    snippet=f"{instruction.keyword} {name}",
                )


CHECK = FileCheck(RULE, DOCKERFILE, find)
