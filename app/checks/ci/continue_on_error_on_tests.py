"""## What it does
Flags `continue-on-error: true` on workflow steps or jobs that run the tests.

In detail, it flags `continue-on-error: true` on a workflow step that runs the tests, or on a job with
such a step. Only the literal `true` is flagged: an expression such as
`${{ matrix.experimental }}` (allowed failures for one matrix entry) is a deliberate,
scoped choice.

## Why is this bad?
The test step fails, the job still succeeds, and the pull request shows a green check:
CI reports "tests pass" while they do not. Failures pile up unnoticed until the suite is
worthless.

## Example
```yaml
- run: pytest
  continue-on-error: true
```

## Use instead
```yaml
- run: pytest
# and mark genuinely flaky tests as such (pytest-rerunfailures, xfail with a reason)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import WORKFLOW, FileCheck, FileContext, rule
from app.checks.ci.commands import step_kinds
from app.checks.ci.workflow import jobs, root
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("CI004", "continue-on-error-on-tests", Domain.CI, Severity.MEDIUM, __doc__)

_KEY = "continue-on-error"


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report test steps and test jobs whose failure is ignored."""
    workflow = root(ctx)
    for job in jobs(workflow) if workflow is not None else []:
        test_steps = [step for step in job.steps() if step_kinds(step)[0]]
        if job.node.is_true(_KEY) and test_steps:
            yield RawFinding(RULE.code, job.node.line_of(_KEY),
                             f"job `{job.job_id}` runs the tests with continue-on-error: true",
                             snippet="continue-on-error:job")  # not its id: a renamed job is the same
        for step in test_steps:
            if step.is_true(_KEY):
                yield RawFinding(RULE.code, step.line_of(_KEY),
                                 f"a test step of job `{job.job_id}` has continue-on-error: true")


CHECK = FileCheck(RULE, WORKFLOW, find)
