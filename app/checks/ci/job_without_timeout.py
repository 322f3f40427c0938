"""## What it does
Flags a workflow job without `timeout-minutes`.

In detail, it flags a workflow job that sets no `timeout-minutes`. Jobs that call a reusable workflow
(`uses:`) are not flagged: the called workflow's jobs carry their own timeouts.

## Why is this bad?
The default timeout is six hours. A test that deadlocks or waits on a network call holds a
runner, and on private repositories bills minutes, for all of it, and the pull request
waits that long for a verdict. It is a smell, hence the low severity.

## Example
```yaml
jobs:
  test:
    runs-on: ubuntu-latest
```

## Use instead
```yaml
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 15
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import WORKFLOW, FileCheck, FileContext, rule
from app.checks.ci.workflow import is_disabled, jobs, root
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("CI007", "job-without-timeout", Domain.CI, Severity.LOW, __doc__)


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report jobs without a timeout."""
    workflow = root(ctx)
    for job in jobs(workflow) if workflow is not None else []:
        if job.calls_workflow or is_disabled(job.node) or "timeout-minutes" in job.node:
            continue
        yield RawFinding(RULE.code, job.line, f"job `{job.job_id}` has no timeout-minutes (the default is 6 hours)",
                         snippet="timeout:job")  # not its id: a renamed job is the same


CHECK = FileCheck(RULE, WORKFLOW, find)
