"""Verity's check run on one head SHA: find or create it, start it, complete it in batches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from app.github import text
from app.github.output import Annotation, CheckOutput, batches

if TYPE_CHECKING:  # `now` serves code that `verity explain` imports, which must not load githubkit
    from app.github.client import GitHubClient

RERUN_ACTION = {
    "label": text.RERUN_LABEL,
    "description": text.RERUN_DESCRIPTION,
    "identifier": text.RERUN_IDENTIFIER,
}


class RunIds(Protocol):
    """Where the id of the check run of each head SHA is remembered."""

    def get(self, head_sha: str) -> int | None:
        """Return the remembered check run id of a head SHA."""
        ...

    def put(self, head_sha: str, run_id: int) -> None:
        """Remember the check run id of a head SHA."""
        ...


class SentAnnotations(Protocol):
    """Which annotations a check run already carries (GitHub appends them; they cannot be removed)."""

    def sent(self, run_id: int) -> set[str]:
        """Return the fingerprints already annotated on a check run."""
        ...

    def add(self, run_id: int, fingerprints: list[str]) -> None:
        """Record fingerprints as annotated on a check run."""
        ...


def now() -> str:
    """Return the current time as GitHub's ISO 8601 timestamps."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class CheckRuns:
    """The check runs of one repository, named after the App's check name."""

    def __init__(self, gh: GitHubClient, full_name: str, name: str, ids: RunIds, ledger: SentAnnotations,
                 app_id: str = "") -> None:
        self._gh = gh
        self._base = f"/repos/{full_name}/check-runs"
        self._full_name = full_name
        self._name = name
        self._ids = ids
        self._ledger = ledger
        self._app_id = app_id

    def ensure(self, head_sha: str, external_id: str) -> int:
        """Return the check run of a head SHA, creating it queued when there is none."""
        run_id = self._ids.get(head_sha) or self._find(head_sha)
        if run_id is None:
            body = {"name": self._name, "head_sha": head_sha, "status": "queued", "external_id": external_id,
                    "output": {"title": text.TITLE_QUEUED, "summary": text.SUMMARY_IN_PROGRESS}}
            run_id = int(self._gh.rest("POST", self._base, json=body)["id"])
        self._ids.put(head_sha, run_id)
        return run_id

    def _find(self, head_sha: str) -> int | None:
        """Return the newest existing check run of this name on a head SHA, if any."""
        params: dict[str, Any] = {"check_name": self._name, "filter": "latest"}
        if self._app_id.isdigit():
            params["app_id"] = int(self._app_id)
        found = self._gh.rest("GET", f"/repos/{self._full_name}/commits/{head_sha}/check-runs", params=params)
        runs = [r for r in found.get("check_runs", []) if r.get("name") == self._name]
        return int(runs[0]["id"]) if runs else None

    def start(self, run_id: int) -> None:
        """Mark a check run in progress."""
        body = {"status": "in_progress", "started_at": now(),
                "output": {"title": text.TITLE_IN_PROGRESS, "summary": text.SUMMARY_IN_PROGRESS}}
        self._gh.rest("PATCH", f"{self._base}/{run_id}", json=body)

    def complete(self, run_id: int, result: CheckOutput) -> int:
        """Complete a check run, sending its annotations in batches; return how many batches."""
        already = self._ledger.sent(run_id)
        todo = [a for a in result.annotations if a.fingerprint not in already]
        groups: list[list[Annotation]] = batches(todo) or [[]]
        for group in groups[:-1]:
            self._gh.rest("PATCH", f"{self._base}/{run_id}", json={"output": result.output(group)})
            self._ledger.add(run_id, [a.fingerprint for a in group])
        body = {"status": "completed", "conclusion": result.conclusion, "completed_at": now(),
                "output": result.output(groups[-1]), "actions": [RERUN_ACTION]}
        self._gh.rest("PATCH", f"{self._base}/{run_id}", json=body)
        self._ledger.add(run_id, [a.fingerprint for a in groups[-1]])
        return len(groups) if todo else 0
