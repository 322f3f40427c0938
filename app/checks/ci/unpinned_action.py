"""## What it does
Flags a workflow `uses:` that is not pinned to a full commit SHA.

In detail, it flags a workflow `uses:` (a step's action or a job's reusable workflow) that is not pinned
to a full 40-character commit SHA. The severity says who can move the ref and how far:
- an action owned by GitHub (`actions/*`, `github/*`) on a version tag (`@v4`, `@v4.2.1`): low;
- a third-party action on a version tag: medium;
- any action on a branch or other non-version ref (`@main`, `@master`, `@release/v1`, `@stable`), or
  with no ref at all: high, since it runs whatever that branch holds at the next run.

Local actions (`./...`) and Docker images pinned by digest (`docker://...@sha256:...`) are fine.

## Why is this bad?
A tag or branch (`@v4`, `@main`) is a pointer the action's owner, or whoever compromises
their account, can move at any time: the next run executes new code with your workflow's
token and secrets. This is how the `tj-actions/changed-files` compromise leaked secrets from
thousands of repositories. A commit SHA cannot be moved. Keep the version in a comment so
Dependabot and Renovate can still update it.

## Example
```yaml
- uses: actions/checkout@v4
- uses: docker/build-push-action@v6
```

## Use instead
```yaml
- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
- uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83  # v6.18.0
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import WORKFLOW, FileCheck, FileContext, rule
from app.checks.ci.workflow import action_name, jobs, root
from app.checks.infrastructure.yaml_tree import YMap
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("CI002", "unpinned-action", Domain.CI, Severity.MEDIUM, __doc__)

_FULL_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_GITHUB_OWNERS = frozenset({"actions", "github"})


def _is_pinned(uses: str) -> bool:
    """Return whether a `uses:` reference cannot move: local, a digest, or a full commit SHA."""
    if uses.startswith("./") or "${{" in uses:
        return True
    if uses.startswith("docker://"):
        return "@sha256:" in uses
    ref = uses.rsplit("@", 1)[1] if "@" in uses else ""
    return bool(_FULL_SHA.match(ref))


def _users(job_node: YMap) -> Iterator[YMap]:
    """Yield the mappings of a job that hold a `uses:` (the job itself and its steps)."""
    yield job_node
    steps = job_node.get_list("steps")
    yield from steps.maps() if steps else []


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report each `uses:` that is not pinned to a commit SHA."""
    workflow = root(ctx)
    for job in jobs(workflow) if workflow is not None else []:
        for node in _users(job.node):
            uses = node.get_str("uses")
            if uses is None or _is_pinned(uses.strip()):
                continue
            name = action_name(uses.strip())
            severity, what = grade(uses.strip(), name)
            # The snippet names the action, not its job: steps moved to a renamed job or into a
            # reusable workflow run the same code. Copies in one file still count one by one.
            yield RawFinding(
                RULE.code,
                node.line_of("uses"),
                f"`{uses.strip()}` is not pinned to a full commit SHA ({what})",
                snippet=f"uses:{name}",
                severity=severity,
            )


# A version tag: `v4`, `v4.2`, `1.2.3`, `v2.0.0-rc.1`. Anything else is taken for a branch.
_VERSION_TAG = re.compile(r"^v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.\-]+)?$")


def grade(uses: str, name: str) -> tuple[Severity | None, str]:
    """Return the severity of an unpinned `uses:` (None: the rule's medium) and how it is pinned."""
    if uses.startswith("docker://"):
        return None, "a movable image tag"
    ref = uses.rsplit("@", 1)[1] if "@" in uses else ""
    if not _VERSION_TAG.match(ref):
        return Severity.HIGH, f"`{ref}` is a branch: it runs whatever the branch holds" if ref else "no ref"
    if name.split("/", 1)[0].lower() in _GITHUB_OWNERS:
        return Severity.LOW, "a version tag of a GitHub-owned action"
    return None, "a version tag its owner can move"


CHECK = FileCheck(RULE, WORKFLOW, find)
