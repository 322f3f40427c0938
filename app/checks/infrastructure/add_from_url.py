"""## What it does
Flags a Dockerfile `ADD` of a remote URL without a checksum.

In detail, it flags a Dockerfile `ADD` that downloads from an `http://` or `https://` URL without
`--checksum`. A Git URL pinned to a full commit SHA (`...git#<40 hex>`) is fine.

## Why is this bad?
`ADD https://...` fetches whatever the server returns at build time, with no integrity
check: a compromised or changed file goes straight into the image, and rebuilds of the same
commit differ. `ADD --checksum=sha256:...` (BuildKit) verifies the download; a `curl` plus
`sha256sum -c` in a `RUN` does the same and lets you clean up in one layer.

## Example
```dockerfile
ADD https://example.com/tool.tar.gz /opt/
```

## Use instead
```dockerfile
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
    https://example.com/tool.tar.gz /opt/
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from app.checks.base import DOCKERFILE, FileCheck, FileContext, rule
from app.checks.infrastructure.dockerfile import Instruction, parse
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF007", "add-from-url", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__)

_PINNED_GIT = re.compile(r"#[0-9a-fA-F]{40}$")


def _sources(instruction: Instruction) -> list[str]:
    """Return the sources of an ADD (every operand but the destination), in shell or JSON form."""
    operands = instruction.operands()
    rest = " ".join(operands)
    if rest.startswith("["):
        try:
            parsed = json.loads(rest)
        except ValueError:
            return []
        items = [p for p in parsed if isinstance(p, str)] if isinstance(parsed, list) else []
        return items[:-1]
    return operands[:-1]


def _is_unverified_url(source: str) -> bool:
    """Return whether a source is a remote URL whose content is not pinned."""
    if not source.lower().startswith(("http://", "https://")):
        return False
    return _PINNED_GIT.search(source) is None


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report each ADD of a remote URL without a checksum."""
    for instruction in parse(ctx).instructions:
        if instruction.keyword != "ADD" or any(f.startswith("--checksum") for f in instruction.flags()):
            continue
        for source in _sources(instruction):
            if _is_unverified_url(source):
                yield RawFinding(RULE.code, instruction.line, f"ADD downloads `{source}` without a checksum",
                                 snippet=f"add:{source}")
                break


CHECK = FileCheck(RULE, DOCKERFILE, find)
