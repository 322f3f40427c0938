"""## What it does
Flags access tokens of known providers (GitHub, AWS, Slack, Stripe, Google, ...) in any text file.

Code, comments and documentation are all read. The formats: GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`,
`ghr_`, `github_pat_`), AWS access key ids (`AKIA`/`ASIA` + 16) and secret access keys (40 characters
under an AWS secret name), Slack tokens (`xoxb-`, `xoxp-`, ...) and webhook URLs, Stripe live secret
and restricted keys (`sk_live_`, `rk_live_`), Google API keys (`AIza`), GitLab (`glpat-`), npm
(`npm_`), PyPI (`pypi-`), OpenAI, Anthropic and SendGrid keys.

These formats are precise enough to flag wherever they appear, tests included: a token in a test leaks
exactly like one in production code. Only documented examples and fillers are skipped (`EXAMPLE`,
`xxxx`, runs of one character), as are AWS key ids inside presigned URLs (`X-Amz-Credential=`), which
are public by design, and Stripe's publishable `pk_live_` keys. The message shows the provider and
the token's public prefix, never the token; the fingerprint holds only a hash of it.

Google API keys are `high` rather than `critical`: many are browser keys meant to ship in clients.

## Why is this bad?
A live provider token gives whoever finds it the rights of its owner: pushing code, reading
infrastructure, sending messages or charging cards. Bots scan public commits for these formats within
minutes of a push, and a token stays in git history after the line is deleted.

## Example
```yaml
steps:
  - run: gh release create v1.0
    env:
      GH_TOKEN: ghp_5cV0qLr…  # the whole 40-character token
```

## Use instead
```yaml
steps:
  - run: gh release create v1.0
    env:
      GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
```
Revoke the committed token first: it must be considered stolen.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.checks.security._common import HISTORY_NOTE, secret_snippet
from app.checks.security._encoded import with_encoded
from app.checks.security._pairs import pairs
from app.checks.security._secrets import is_aws_secret, provider_tokens
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("SEC002", "hardcoded-provider-token", Domain.SECURITY, Severity.CRITICAL, __doc__)

# Formats that are often public by design get a lower grade than live credentials.
SEVERITY = {"google": Severity.HIGH}


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report provider tokens and AWS secret access keys."""
    for token in provider_tokens(ctx.text):
        yield RawFinding(
            RULE.code, token.line,
            f"{token.label} `{token.shown}` committed; revoke it and load it from a secret store. {HISTORY_NOTE}",
            snippet=secret_snippet(token.provider, token.value), severity=SEVERITY.get(token.provider),
        )
    for pair in pairs(ctx):
        if is_aws_secret(pair.key, pair.value):
            yield RawFinding(
                RULE.code, pair.line, f"AWS secret access key assigned to `{pair.key}`; revoke it and use a role "
                f"or a secret store. {HISTORY_NOTE}", snippet=secret_snippet(f"aws-secret:{pair.key}", pair.value),
            )


CHECK = FileCheck(RULE, ANY_TEXT, with_encoded(find), judges_generated=True)
