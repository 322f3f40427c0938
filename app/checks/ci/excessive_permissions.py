"""## What it does
Flags a workflow whose token gets `write-all` or unrestricted permissions.

In detail, it flags a workflow that grants its `GITHUB_TOKEN` every permission with `permissions:
write-all`, at the top level or on a job (medium), or that sets no `permissions` at all,
neither at the top level nor on every job (low: the token then gets the repository's
default, which is read-write on many older repositories and organisations). A reusable
workflow (only `on: workflow_call`) is not flagged for a missing block: its caller's
restrictions apply.

## Why is this bad?
Every step of the job, including every third-party action and every dependency a build
script runs, can use the token. With write access to contents, packages, releases or
pull requests, one compromised step can push code, publish a release or approve a pull
request. Declaring the few permissions a job needs limits the damage to those.

## Example
```yaml
permissions: write-all
jobs:
  test:
    runs-on: ubuntu-latest
```

## Use instead
```yaml
permissions:
  contents: read
jobs:
  release:
    permissions:
      contents: write   # only the job that needs it
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import WORKFLOW, FileCheck, FileContext, rule
from app.checks.ci.workflow import jobs, root, triggers
from app.checks.infrastructure.yaml_tree import YMap
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("CI003", "excessive-permissions", Domain.CI, Severity.MEDIUM, __doc__)


def _write_all(node: YMap) -> bool:
    """Return whether a workflow or job grants every permission."""
    value = node.get_str("permissions")
    return value is not None and value.strip().lower() == "write-all"


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report write-all grants, and a workflow that never restricts its token."""
    workflow = root(ctx)
    if workflow is None:
        return
    if _write_all(workflow):
        yield RawFinding(RULE.code, workflow.line_of("permissions"), "the workflow grants `permissions: write-all`",
                         snippet="write-all:workflow")
    all_jobs = jobs(workflow)
    for job in all_jobs:
        if _write_all(job.node):
            yield RawFinding(RULE.code, job.node.line_of("permissions"),
                             f"job `{job.job_id}` grants `permissions: write-all`",
                             snippet="write-all:job")  # not its id: a renamed job is the same
    unrestricted = [job for job in all_jobs if "permissions" not in job.node]
    # A reusable workflow runs with its caller's token, which the caller restricts.
    reusable_only = triggers(workflow) == {"workflow_call"}
    if "permissions" not in workflow and unrestricted and not reusable_only:
        yield RawFinding(RULE.code, unrestricted[0].line,
                         "no `permissions` at the top level or on this job: the token gets the repository default",
                         snippet="missing-permissions", severity=Severity.LOW)


CHECK = FileCheck(RULE, WORKFLOW, find)
