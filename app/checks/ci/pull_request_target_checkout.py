"""## What it does
Flags `pull_request_target` or `workflow_run` workflows that check out pull request code.

In detail, it flags a workflow triggered by `pull_request_target` (or `workflow_run`) that checks out
the pull request's code: `actions/checkout` with a `ref` or `repository` taken from the
pull request's head (`github.event.pull_request.head.sha`, `head.ref`, `github.head_ref`,
`merge_commit_sha`, `refs/pull/...`, or for `workflow_run` the triggering run's
`head_sha`/`head_branch`), or a `run:` step doing the same with `gh pr checkout` or `git`.

## Why is this bad?
`pull_request_target` and `workflow_run` run in the context of the base repository, with
its secrets and a token that can write to it, so that they can comment on forks' pull
requests. Checking out the fork's code there and then building, testing or even linting it
(build scripts, test configs and linter plugins are code) runs an attacker's code with
those secrets: the "pwn request". Gating on a label does not help much: the author can
push new code after the label is set. A job or step guarded so that it only runs for
pull requests from the repository itself (`if: github.event.pull_request.head.repo.full_name
== github.repository`, or `head.repo.fork == false`) is not flagged: those authors can push
to the repository anyway.

## Example
```yaml
on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test
```

## Use instead
```yaml
on: pull_request          # untrusted code runs without secrets
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import WORKFLOW, FileCheck, FileContext, rule
from app.checks.ci.workflow import action_name, jobs, root, triggers
from app.checks.infrastructure.yaml_tree import YMap
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("CI005", "pull-request-target-checkout", Domain.CI, Severity.CRITICAL, __doc__)

_PRIVILEGED_TRIGGERS = frozenset({"pull_request_target", "workflow_run"})
_HEAD_REF = re.compile(
    r"pull_request\.head\.(?:sha|ref|repo\.full_name)|github\.head_ref|merge_commit_sha|refs/pull/"
    r"|workflow_run\.head_(?:sha|branch|repository)|\bpull/\$\{\{",
    re.IGNORECASE,
)
# `if:` guards that keep forks out: only same-repository pull requests (whose authors can push anyway).
_BASE_REPO = r"(?:github\.repository|github\.event\.pull_request\.base\.repo\.full_name)"
_SAME_REPO_GUARD = re.compile(
    rf"head\.repo\.full_name\s*==\s*{_BASE_REPO}\b|{_BASE_REPO}\s*==\s*[\w.]*head\.repo\.full_name"
    r"|head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork\b",
    re.IGNORECASE,
)
_RUN_CHECKOUT = re.compile(r"\bgh\s+pr\s+checkout\b|\bgit\s+(?:\S+\s+)*?(?:fetch|checkout|switch|pull)\b.*", re.I)


def _checkout_key(step: YMap) -> tuple[str, int] | None:
    """Return the input and line where a checkout step takes the pull request's head, or None."""
    if action_name(step.get_str("uses") or "") == "actions/checkout":
        inputs = step.get_map("with")
        for key in ("ref", "repository"):
            value = inputs.get_str(key) if inputs else None
            if inputs is not None and value is not None and _HEAD_REF.search(value):
                return key, inputs.line_of(key)
    run = step.get_str("run") or ""
    for match in _RUN_CHECKOUT.finditer(run):
        text = match.group(0)
        if text.lower().startswith("gh") or _HEAD_REF.search(text):
            return "run", step.line_of("run")
    return None


def _guarded(node: YMap) -> bool:
    """Return whether a job or step runs only for pull requests from the repository itself."""
    condition = node.get("if")
    return isinstance(condition, str) and _SAME_REPO_GUARD.search(condition) is not None


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report checkouts of pull request code in privileged workflows."""
    workflow = root(ctx)
    if workflow is None:
        return
    privileged = sorted(triggers(workflow) & _PRIVILEGED_TRIGGERS)
    if not privileged:
        return
    for job in jobs(workflow):
        if _guarded(job.node):
            continue
        for step in job.steps():
            found = None if _guarded(step) else _checkout_key(step)
            if found is not None:
                yield RawFinding(RULE.code, found[1],
                                 f"job `{job.job_id}` checks out pull request code in a `{privileged[0]}` workflow, "
                                 "which runs with the base repository's secrets",
                                 snippet=f"prt-checkout:{found[0]}")  # not the job id: see CI002


CHECK = FileCheck(RULE, WORKFLOW, find)
