"""A GitHub Actions workflow read from its line-aware YAML: triggers, jobs and steps."""

from __future__ import annotations

from dataclasses import dataclass

from app.checks.base import FileContext
from app.checks.infrastructure.yaml_tree import YList, YMap, mappings

# PyYAML reads the unquoted key `on` as YAML 1.1's boolean true; GitHub reads it as "on".
_ON_KEYS: tuple[object, ...] = ("on", True)


@dataclass(frozen=True)
class Job:
    """One job of a workflow: its id, its mapping and the line of its key."""

    job_id: str
    node: YMap
    line: int

    @property
    def calls_workflow(self) -> bool:
        """Return whether the job calls a reusable workflow instead of running steps."""
        return isinstance(self.node.get("uses"), str)

    def steps(self) -> list[YMap]:
        """Return the job's steps that are mappings and are not switched off with `if: false`."""
        steps = self.node.get_list("steps")
        return [s for s in (steps.maps() if steps else []) if not is_disabled(s)]


def is_live(path: str) -> bool:
    """Return whether GitHub runs a workflow file: only those directly in `.github/workflows/` are read."""
    return "/" not in path.removeprefix(".github/workflows/")


def root(ctx: FileContext) -> YMap | None:
    """Return a live workflow's top-level mapping, or None when it does not parse or is not a mapping."""
    docs = mappings(ctx) if is_live(ctx.path) else []
    return docs[0] if docs else None


def on_key(workflow: YMap) -> object | None:
    """Return the key under which the workflow's triggers are written (`on` or PyYAML's True)."""
    for key in _ON_KEYS:
        if key in workflow:
            return key
    return None


def triggers(workflow: YMap) -> set[str]:
    """Return the names of the events that trigger the workflow."""
    key = on_key(workflow)
    value = workflow.get(key) if key is not None else None
    if isinstance(value, str):
        return {value}
    if isinstance(value, YList):
        return {v for v in value if isinstance(v, str)}
    if isinstance(value, YMap):
        return {k for k in value if isinstance(k, str)}
    return set()


def jobs(workflow: YMap) -> list[Job]:
    """Return the workflow's jobs, in file order."""
    table = workflow.get_map("jobs")
    if table is None:
        return []
    return [Job(str(job_id), node, table.line_of(job_id)) for job_id, node in table.items() if isinstance(node, YMap)]


def is_disabled(node: YMap) -> bool:
    """Return whether a job or step is switched off with a literal `if: false`."""
    condition = node.get("if")
    if condition is False:
        return True
    if not isinstance(condition, str):
        return False
    text = condition.strip().lower().replace(" ", "")
    return text in ("false", "${{false}}")


def action_name(uses: str) -> str:
    """Return `owner/repo` (lower-case) of a `uses:` reference, without the path and the ref."""
    without_ref = uses.split("@", 1)[0]
    return "/".join(without_ref.split("/")[:2]).lower()
