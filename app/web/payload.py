"""Typed access to webhook payloads: a missing or mistyped field is a malformed payload (400)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

from app.github.job import Job

T = TypeVar("T")
SHA_RE = re.compile(r"[0-9a-f]{40}")


class MalformedPayload(ValueError):
    """The payload lacks a field its event needs, or the field has the wrong type."""


def field(data: Any, *path: str | int, kind: type[T]) -> T:
    """Return the value at a path in a JSON document, checked against a type."""
    value = data
    for key in path:
        if not _has(value, key):
            raise MalformedPayload(f"missing {'.'.join(map(str, path))}")
        value = value[key]
    # bool is an int in Python, but never a valid id or number here.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MalformedPayload(f"{'.'.join(map(str, path))} is not {kind.__name__}")
    return value


def _has(container: Any, key: str | int) -> bool:
    """Return whether a JSON list has an index or a JSON object has a key."""
    if isinstance(key, int):
        return isinstance(container, list) and -len(container) <= key < len(container)
    return isinstance(container, dict) and key in container


def optional(data: Any, *path: str, kind: type[T]) -> T | None:
    """Return the value at a path, or None when any step is absent or null."""
    value = data
    for key in path:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    if not isinstance(value, kind):
        raise MalformedPayload(f"{'.'.join(path)} is not {kind.__name__}")
    return value


class Origin(TypedDict):
    """The fields every job about one commit starts with: the installation, the repository and the head."""

    installation_id: int
    repo_id: int
    repo_full_name: str
    head_sha: str


def origin(payload: Any, head_sha: str, sha_name: str) -> Origin:
    """Return a commit job's installation, repository and head, after checking the head is a commit SHA."""
    # Checked before the ids are read: of several faults, the 400 names the bad head.
    if not SHA_RE.fullmatch(head_sha):
        raise MalformedPayload(f"{sha_name} is not a commit SHA")
    return Origin(
        installation_id=field(payload, "installation", "id", kind=int),
        repo_id=field(payload, "repository", "id", kind=int),
        repo_full_name=field(payload, "repository", "full_name", kind=str),
        head_sha=head_sha,
    )


@dataclass(frozen=True)
class Delivery:
    """One verified webhook delivery."""

    event: str
    delivery_id: str
    payload: dict[str, Any]
    check_name: str

    @property
    def action(self) -> str:
        """Return the payload's action ("" for events without one, like ping)."""
        action = self.payload.get("action", "")
        return action if isinstance(action, str) else ""


@dataclass(frozen=True)
class Routed:
    """What a handler decided: the job to queue and, for new pushes, the PR head to record."""

    job: Job
    head_key: str = ""  # Redis key of the PR's latest head, when this delivery announces one
    head_sha: str = ""


def web_address(payload: Any) -> str:
    """Return the repository's `html_url`, or an empty string when the payload has none (links then fall back)."""
    repository = payload.get("repository") if isinstance(payload, dict) else None
    url = repository.get("html_url") if isinstance(repository, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else ""
