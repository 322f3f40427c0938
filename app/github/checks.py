"""Verity's check run on one head SHA: find, create or adopt it, start it, complete it in batches.

Each run carries the external id of the job that owns it, `repo:pr:sha` (PR 0: the default branch's
baseline). A pull request's audit takes over any run on its head; a baseline never touches a PR's run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from app.github import text
from app.github.output import Annotation, CheckOutput, batches
from app.store.keys import CREATE_SECONDS

if TYPE_CHECKING:  # `now` serves code that `verity explain` imports, which must not load githubkit
    from app.github.client import GitHubClient

RERUN_ACTION = {
    "label": text.RERUN_LABEL,
    "description": text.RERUN_DESCRIPTION,
    "identifier": text.RERUN_IDENTIFIER,
}


# How long a job waits for another job creating the same head's first run: as long as its reservation lasts.
CREATE_WAIT_SECONDS = float(CREATE_SECONDS)
CREATE_POLL_SECONDS = 0.2

BASELINE_PR = 0  # the pull request number in a default-branch baseline's external id


def external_id(repo_id: int, pr_number: int, head_sha: str) -> str:
    """Return the id a check run carries back to the job that owns it: `repo:pr:sha`."""
    return f"{repo_id}:{pr_number}:{head_sha}"


def pull_request_of(external: str) -> int | None:
    """Return the PR number an external id names (BASELINE_PR: the default branch), or None if it names none."""
    parts = external.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[1].isascii() and parts[1].isdigit() else None


@dataclass(frozen=True)
class Run:
    """A head's check run: its id and the external id of the job owning it ("" when unknown)."""

    id: int
    external_id: str

    @property
    def owned_by_pull_request(self) -> bool:
        """Return whether a pull request's audit owns the run: its verdict, or its audit under way."""
        number = pull_request_of(self.external_id)
        return number is not None and number != BASELINE_PR


class RunIds(Protocol):
    """Where the check run of each head SHA is remembered: its id and its owner's external id."""

    def get(self, head_sha: str) -> tuple[int, str] | None:
        """Return the remembered check run id of a head SHA and its external id ("" when not remembered)."""
        ...

    def put(self, head_sha: str, run_id: int, external: str) -> None:
        """Remember the check run id of a head SHA and the external id of the job owning it."""
        ...

    def reserve(self, head_sha: str, holder: str) -> bool:
        """Reserve creating a head SHA's first check run for a holder; False when another holder has it."""
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
                 app_id: str = "", holder: str = "", create_wait: float = CREATE_WAIT_SECONDS) -> None:
        self._gh = gh
        self._base = f"/repos/{full_name}/check-runs"
        self._full_name = full_name
        self._name = name
        self._ids = ids
        self._ledger = ledger
        self._app_id = app_id
        self._holder = holder  # who reserves a first run's creation: the job's root task id, kept by its retries
        self._create_wait = create_wait

    def ensure(self, head_sha: str, external: str) -> int:
        """Return a head's check run for a job, creating it queued, or adopting it when another job made it."""
        return self._adopt(head_sha, self._found_or_reserved(head_sha, external), external)

    def ensure_baseline(self, head_sha: str, external: str) -> int | None:
        """Return a head's check run for a default-branch baseline, creating it; None when a PR's audit owns it.

        A pull request's verdict on the commit (or its audit still under way) outranks the baseline,
        which then leaves that run exactly as it is: no update at all.
        """
        found = self._found_or_reserved(head_sha, external)
        if found is not None and found.owned_by_pull_request:
            return None
        return self._adopt(head_sha, found, external)

    def _found_or_reserved(self, head_sha: str, external: str) -> Run | None:
        """Return a head's check run; when it has none, reserve creating it, or wait for the job that does.

        A PR's audit and a push's baseline of the same commit may start together: without the
        reservation both would find no run and the commit would get two.
        """
        found = self.find(head_sha)
        if found is not None or self._ids.reserve(head_sha, self._holder or external):
            return found
        deadline = time.monotonic() + self._create_wait
        while time.monotonic() < deadline:
            time.sleep(CREATE_POLL_SECONDS)
            known = self._ids.get(head_sha)
            if known is not None:
                return Run(*known)
        return self.find(head_sha)  # the creating job died mid-way: GitHub lists its run if it made one

    def find(self, head_sha: str) -> Run | None:
        """Return a head's check run and its owner: from Redis when it knows both, else as GitHub lists it."""
        known = self._ids.get(head_sha)
        if known is not None and known[1]:
            return Run(*known)
        listed = self._listed(head_sha)  # Redis lost the run, or kept it from before owners were recorded
        if listed is not None:
            self._ids.put(head_sha, listed.id, listed.external_id)
            return listed
        return Run(known[0], "") if known else None

    def _adopt(self, head_sha: str, found: Run | None, external: str) -> int:
        """Return the run found, stamped with the job's external id, or a new queued run when none was."""
        if found is None:
            body = {"name": self._name, "head_sha": head_sha, "status": "queued", "external_id": external,
                    "output": {"title": text.TITLE_QUEUED, "summary": text.SUMMARY_IN_PROGRESS}}
            run_id = int(self._gh.rest("POST", self._base, json=body)["id"])
        else:
            run_id = found.id
            if found.external_id != external:  # stamped on GitHub too, so a lookup after Redis lost it agrees
                self._gh.rest("PATCH", f"{self._base}/{run_id}", json={"external_id": external})
        self._ids.put(head_sha, run_id, external)
        return run_id

    def _listed(self, head_sha: str) -> Run | None:
        """Return the newest check run of this name GitHub lists on a head SHA, if any."""
        params: dict[str, Any] = {"check_name": self._name, "filter": "latest"}
        if self._app_id.isdigit():
            params["app_id"] = int(self._app_id)
        found = self._gh.rest("GET", f"/repos/{self._full_name}/commits/{head_sha}/check-runs", params=params)
        runs = [r for r in found.get("check_runs", []) if r.get("name") == self._name]
        return Run(int(runs[0]["id"]), str(runs[0].get("external_id") or "")) if runs else None

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
