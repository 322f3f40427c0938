"""Who may do what: a user's role on the repository, from GitHub's collaborator permission endpoint."""

from __future__ import annotations

import re

from app.github.client import GitHubClient
from app.github.errors import GitHubError

ROLES = ("none", "read", "triage", "write", "maintain", "admin")  # lowest first
WRITE_ROLES = frozenset({"write", "maintain", "admin"})
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?")


def valid_login(login: str) -> bool:
    """Return whether a string has the shape of a GitHub login (it goes into a URL path)."""
    return bool(_LOGIN.fullmatch(login))


def role_from(answer: object) -> str:
    """Return the role in a permission answer: `role_name`, else the legacy `permission`.

    A custom role has its own `role_name`; its `permission` is the base role it extends.
    """
    if not isinstance(answer, dict):
        return "none"
    role, legacy = answer.get("role_name"), answer.get("permission")
    if role in ROLES:
        return str(role)
    return str(legacy) if legacy in ROLES else "none"


def role_of(gh: GitHubClient, full_name: str, login: str) -> str:
    """Return a user's role on a repository; "none" for a user GitHub does not know there."""
    if not valid_login(login):
        return "none"
    try:
        return role_from(gh.rest("GET", f"/repos/{full_name}/collaborators/{login}/permission"))
    except GitHubError as exc:
        if exc.status == 404:  # not a user, or not one this repository knows: no access
            return "none"
        raise


def can_write(role: str) -> bool:
    """Return whether a role may accept and revoke regressions."""
    return role in WRITE_ROLES
