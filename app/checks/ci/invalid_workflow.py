"""## What it does
Flags a GitHub Actions workflow that does not parse or cannot run.

In detail, it flags a GitHub Actions workflow (`.github/workflows/*.yml`; files in sub-folders are not
workflows) that does not parse as YAML,
or that is not a mapping with an `on` trigger and a `jobs` table.

## Why is this bad?
GitHub refuses to run a workflow it cannot read: every check it carried (tests, linters,
deploys) silently stops, and the pull request that broke it often looks green because the
missing checks never report. Every other CI check is blind to such a file too.

## Example
```yaml
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
     - run: ruff check .
```

## Use instead
```yaml
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
      - run: ruff check .
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import WORKFLOW, FileCheck, FileContext, rule
from app.checks.ci.workflow import is_live, on_key
from app.checks.infrastructure.yaml_tree import YMap, parse
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("CI001", "invalid-workflow", Domain.CI, Severity.HIGH, __doc__)


def _problem(documents: tuple[object, ...]) -> str | None:
    """Return what a parsed workflow lacks to be runnable, or None."""
    if len(documents) != 1 or not isinstance(documents[0], YMap):
        return "a workflow must be a single YAML mapping"
    workflow = documents[0]
    if on_key(workflow) is None:
        return "the workflow has no `on` trigger"
    if workflow.get_map("jobs") is None:
        return "the workflow has no `jobs` table"
    return None


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report a workflow that does not parse or lacks `on` or `jobs`."""
    if not is_live(ctx.path):
        return  # GitHub ignores files in sub-folders: they are data, not workflows
    result = parse(ctx)
    if result.error is not None:
        where = f" at line {result.error_line}" if result.error_line else ""
        yield RawFinding(RULE.code, result.error_line, f"workflow YAML does not parse{where}: {result.error}",
                         snippet="invalid-workflow")
        return
    problem = _problem(result.documents)
    if problem is not None:
        yield RawFinding(RULE.code, 0, problem, snippet="invalid-workflow")


CHECK = FileCheck(RULE, WORKFLOW, find, judges_generated=True)
