"""## What it does
Flags an inline suppression (`# verity: ignore[CODE]`) that gives no reason.

## Why is this bad?
A suppression hides evidence from the score and the gate. Without a reason, reviewers cannot
tell a considered exception from a way to get a PR merged, so Verity does not honour it.

## Example
```python
requests.get(url, verify=False)  # verity: ignore[S501]
```

## Use instead
```python
requests.get(url, verify=False)  # verity: ignore[S501] internal mock server with a self-signed cert
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import ANY_TEXT, FileCheck, FileContext, rule
from app.engine.facts_suppressions import find_suppressions
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("QLT002", "unexplained-suppression", Domain.QUALITY, Severity.LOW, __doc__)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report suppressions that carry no reason."""
    for line, (codes, reason) in sorted(find_suppressions(ctx).items()):
        if not reason:
            yield RawFinding(RULE.code, line, f"suppression of {', '.join(codes)} gives no reason (not honoured)")


CHECK = FileCheck(RULE, ANY_TEXT, find)
