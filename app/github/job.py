"""The jobs that cross the queue: ids only, never tokens or payloads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

AUDIT_TASK = "verity.audit_pull_request"
COMMENT_TASK = "verity.handle_comment"
INSTALLATION_TASK = "verity.record_installation"
PUSH_TASK = "verity.audit_push"
REPOSITORY_TASK = "verity.record_repository"
QUEUE = "verity"


@dataclass(frozen=True)
class AuditJob:
    """Audit one head SHA of one pull request."""

    installation_id: int
    repo_id: int
    repo_full_name: str
    pr_number: int
    head_sha: str
    base_ref: str
    clone_url: str
    delivery_id: str = ""
    force: bool = False  # a re-run: bypass the job dedupe
    html_url: str = ""  # the repository's web address, for links in the check run

    @property
    def web_url(self) -> str:
        """Return the repository's web address: its `html_url`, else its clone URL without `.git`."""
        return self.html_url or self.clone_url.removesuffix(".git")

    @property
    def owner(self) -> str:
        """Return the repository owner's login."""
        return self.repo_full_name.partition("/")[0]

    @property
    def name(self) -> str:
        """Return the repository name without its owner."""
        return self.repo_full_name.partition("/")[2]

    def to_json(self) -> dict[str, Any]:
        """Return the job as the task's keyword arguments (flat, so no deep copy as asdict does)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditJob:
        """Rebuild a job from task keyword arguments, ignoring unknown keys."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def log_fields(self) -> dict[str, Any]:
        """Return the structured fields every log line about this job carries."""
        return {
            "delivery": self.delivery_id,
            "repo": self.repo_full_name,
            "pr": self.pr_number,
            "sha": self.head_sha[:12],
        }


@dataclass(frozen=True)
class CommentJob:
    """Act on a `/audit` comment on a pull request."""

    installation_id: int
    repo_id: int
    repo_full_name: str
    pr_number: int
    comment_id: int
    clone_url: str
    delivery_id: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the job as the task's keyword arguments."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CommentJob:
        """Rebuild a job from task keyword arguments, ignoring unknown keys."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class InstallationJob:
    """Record an installation change (bookkeeping): which repositories Verity may see."""

    installation_id: int
    action: str
    added_repo_ids: tuple[int, ...] = ()
    removed_repo_ids: tuple[int, ...] = ()
    delivery_id: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the job as the task's keyword arguments."""
        data = asdict(self)
        data["added_repo_ids"] = list(self.added_repo_ids)
        data["removed_repo_ids"] = list(self.removed_repo_ids)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InstallationJob:
        """Rebuild a job from task keyword arguments."""
        return cls(
            installation_id=int(data["installation_id"]),
            action=str(data["action"]),
            added_repo_ids=tuple(int(i) for i in data.get("added_repo_ids", ())),
            removed_repo_ids=tuple(int(i) for i in data.get("removed_repo_ids", ())),
            delivery_id=str(data.get("delivery_id", "")),
        )


@dataclass(frozen=True)
class PushJob:
    """Audit the head of a repository's default branch: the baseline check run and the trend."""

    installation_id: int
    repo_id: int
    repo_full_name: str
    head_sha: str
    branch: str  # the default branch the push went to
    clone_url: str
    html_url: str  # where commit links on the trend page point
    private: bool  # as the push payload said; a private repository's trend is served only when opted in
    delivery_id: str = ""
    force: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the job as the task's keyword arguments."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PushJob:
        """Rebuild a job from task keyword arguments, ignoring unknown keys."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def as_audit_job(self) -> AuditJob:
        """Return the job as the audit's error path sees it: PR 0, the default branch as the base."""
        return AuditJob(self.installation_id, self.repo_id, self.repo_full_name, 0, self.head_sha, self.branch,
                        self.clone_url, self.delivery_id)

    def log_fields(self) -> dict[str, Any]:
        """Return the structured fields every log line about this job carries."""
        return {"delivery": self.delivery_id, "repo": self.repo_full_name, "branch": self.branch,
                "sha": self.head_sha[:12]}


@dataclass(frozen=True)
class RepositoryJob:
    """Record a repository made private or public, or deleted: who may see its badge and trend page."""

    repo_id: int
    action: str  # privatized, publicized or deleted
    delivery_id: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the job as the task's keyword arguments."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RepositoryJob:
        """Rebuild a job from task keyword arguments, ignoring unknown keys."""
        return cls(int(data["repo_id"]), str(data["action"]), str(data.get("delivery_id", "")))


Job = AuditJob | CommentJob | InstallationJob | PushJob | RepositoryJob

TASK_OF: dict[type, str] = {AuditJob: AUDIT_TASK, CommentJob: COMMENT_TASK, InstallationJob: INSTALLATION_TASK,
                            PushJob: PUSH_TASK, RepositoryJob: REPOSITORY_TASK}
