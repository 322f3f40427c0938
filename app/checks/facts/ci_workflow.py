"""Extractor `ci.workflow`: whether a GitHub Actions workflow runs the tests and a linter.

Data: `{"tests": bool, "lint": bool}`. Jobs and steps switched off with `if: false` do not count;
see `app.checks.ci.commands` for what is recognised.
"""

from __future__ import annotations

from app.checks.base import WORKFLOW, Extractor, FileContext
from app.checks.ci.commands import step_kinds
from app.checks.ci.workflow import is_disabled, jobs, root


def extract(ctx: FileContext) -> dict[str, bool]:
    """Return whether the workflow's live jobs run tests and a linter."""
    tests = lint = False
    workflow = root(ctx)
    for job in jobs(workflow) if workflow is not None else []:
        if is_disabled(job.node):
            continue
        for step in [job.node] if job.calls_workflow else job.steps():
            step_tests, step_lint = step_kinds(step)
            tests, lint = tests or step_tests, lint or step_lint
    return {"tests": tests, "lint": lint}


EXTRACTOR = Extractor("ci.workflow", WORKFLOW, extract)
