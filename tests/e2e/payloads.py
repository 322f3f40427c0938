"""Webhook deliveries built from @octokit/webhooks-examples, with their ids rewritten."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from app.web.signature import sign
from tests.e2e.openapi import example

__all__ = ["Target", "check_run", "encode", "example", "headers", "pull_request", "push", "rewrite"]


@dataclass(frozen=True)
class Target:
    """The installation, repository and PR the deliveries are about."""

    installation_id: int
    repo_id: int
    full_name: str
    clone_url: str
    number: int = 7
    base_ref: str = "main"

    @property
    def html_url(self) -> str:
        """Return the repository's web address, as GitHub sends it in `repository.html_url`."""
        return f"https://github.com/{self.full_name}"


def rewrite(payload: dict[str, Any], target: Target) -> None:
    """Rewrite the repository and installation of a payload."""
    owner, name = target.full_name.split("/")
    repo = payload["repository"]
    repo.update(id=target.repo_id, name=name, full_name=target.full_name, clone_url=target.clone_url,
                html_url=target.html_url)
    repo["owner"]["login"] = owner
    payload["installation"] = {"id": target.installation_id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}


def pull_request(target: Target, action: str, head_sha: str, **changes: Any) -> dict[str, Any]:
    """Return a real pull_request payload about the target's PR at a head SHA."""
    payload = example("pull_request", action)
    rewrite(payload, target)
    pr = payload["pull_request"]
    pr["number"] = payload["number"] = target.number
    pr["head"]["sha"] = head_sha
    pr["base"]["ref"] = target.base_ref
    pr["head"]["repo"] = dict(payload["repository"])
    pr["base"]["repo"] = dict(payload["repository"])
    if changes:
        payload["changes"] = changes
    return payload


def check_run(target: Target, action: str, head_sha: str, name: str, identifier: str = "") -> dict[str, Any]:
    """Return a real check_run payload (re-run or requested action) about the target's PR."""
    payload = example("check_run", action)
    rewrite(payload, target)
    run = payload["check_run"]
    run.update(name=name, head_sha=head_sha)
    run["pull_requests"] = [{"number": target.number, "id": 1, "url": "", "head": {"ref": "x", "sha": head_sha, "repo": {}},
                             "base": {"ref": target.base_ref, "sha": "0" * 40, "repo": {}}}]
    if identifier:
        payload["requested_action"] = {"identifier": identifier}
    return payload


def push(target: Target, head_sha: str, branch: str | None = None, private: bool = False) -> dict[str, Any]:
    """Return a real push payload: `branch` (the default branch unless named) moved to a head SHA."""
    payload = example("push", None)
    rewrite(payload, target)
    payload.update(ref=f"refs/heads/{branch or target.base_ref}", after=head_sha, deleted=False, base_ref=None)
    payload["repository"].update(default_branch=target.base_ref, master_branch=target.base_ref, private=private,
                                 html_url=f"https://github.com/{target.full_name}")
    if payload.get("head_commit"):
        payload["head_commit"]["id"] = head_sha
    return payload


def headers(event: str, body: bytes, secret: str, delivery_id: str | None = None) -> dict[str, str]:
    """Return the headers GitHub sends with a delivery."""
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(secret.encode(), body),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
    }


def encode(payload: dict[str, Any]) -> bytes:
    """Serialise a payload as GitHub does."""
    return json.dumps(payload).encode()
