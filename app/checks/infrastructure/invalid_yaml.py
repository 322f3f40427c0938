"""## What it does
Flags a YAML file that does not parse.

In detail, it flags a YAML file (other than a GitHub Actions workflow, see CI001) that does not parse,
with the parser's message and line.

Custom tags (`!Ref`, `!reference`, `!!python/name:`) are accepted, since they are valid
YAML. Templates are not YAML until rendered, so a file that does not parse and holds Go or
Jinja template markers (`{{`, `{%`), or sits under a chart's `templates/` directory, is
skipped without a finding: a note that costs score points would punish ordinary Helm
charts. Under test-data directories (`tests/`, `testdata/`, `fixtures/`...) broken YAML is
often deliberate, so the finding is only low there.

## Why is this bad?
Whatever reads the file (Kubernetes, Compose, an application's config loader, a CI
system) rejects it or, worse, loads half of it: the deploy or the service fails at the
worst moment, far from the change that broke it.

## Example
```yaml
services:
  api:
    image: acme/api:1.2
     ports: ["8000:8000"]
```

## Use instead
```yaml
services:
  api:
    image: acme/api:1.2
    ports: ["8000:8000"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import FileCheck, FileContext, rule
from app.checks.infrastructure.yaml_tree import looks_templated, parse
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("INF001", "invalid-yaml", Domain.INFRASTRUCTURE, Severity.MEDIUM, __doc__)

_TEST_DATA_DIRS = frozenset({"test", "tests", "testdata", "test-data", "test_data", "fixtures", "__fixtures__",
                             "testing", "spec", "invalid"})


def _is_template(ctx: FileContext) -> bool:
    """Return whether a file is a template that only becomes YAML once rendered."""
    return looks_templated(ctx.text) or "/templates/" in f"/{ctx.path}"


def _in_test_data(path: str) -> bool:
    """Return whether a path sits under a directory of test data."""
    return any(part.lower() in _TEST_DATA_DIRS for part in path.split("/")[:-1])


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report a YAML file that does not parse."""
    result = parse(ctx)
    if result.error is None or _is_template(ctx):
        return
    where = f" at line {result.error_line}" if result.error_line else ""
    yield RawFinding(
        RULE.code,
        result.error_line,
        f"YAML does not parse{where}: {result.error}",
        snippet="invalid-yaml",
        severity=Severity.LOW if _in_test_data(ctx.path) else None,
    )


CHECK = FileCheck(RULE, frozenset({"yaml"}), find, judges_generated=True)
