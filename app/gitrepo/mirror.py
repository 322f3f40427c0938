"""One bare mirror per repository, fetched with the installation token in an HTTP header.

The token travels in `http.extraHeader`, set through GIT_CONFIG_COUNT in git's environment: never in
the URL, a config file, the command line (which `ps` shows) or a log. Hooks are off, only http(s)
transports are allowed, and plain http only to loopback (tests). Fetches are partial: blobs over
1 MB are left on the server (the engine skips such files without ever asking for them).
"""

from __future__ import annotations

import base64
import fcntl
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from app.gitrepo.repo import GIT_CONFIG, GitError, GitRepo, PermanentGitError, git_env

FETCH_TIMEOUT = 900
# Blobs over the engine's 1 MB read limit stay on the server: a first fetch of a repository with
# committed binaries stays cheap. git records the remote as a promisor; the engine reads only
# present blobs and never fetches an absent one (see GitRepo.missing_blobs).
BLOB_FILTER = "--filter=blob:limit=1m"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# What git prints when the repository itself is gone (deleted, renamed away, or no longer readable):
# GitHub answers 404 for both. No retry brings it back; 5xx, timeouts and network errors may pass.
GONE = re.compile(r"repository not found|repository '[^'\n]*' not found|returned error: 404|returned error: 410"
                  r"|does not appear to be a git repository", re.IGNORECASE)
FETCH_CONFIG = (
    "-c", "protocol.allow=never", "-c", "protocol.https.allow=always", "-c", "protocol.http.allow=always",
    "-c", "credential.helper=", "-c", "core.askPass=", "-c", "gc.autoDetach=false",
    "-c", "fetch.recurseSubmodules=false", "-c", "transfer.fsckObjects=false",
)


def check_clone_url(url: str) -> str:
    """Return the URL when git may fetch it: https, or http to loopback; raise GitError otherwise."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise PermanentGitError("clone_url must not carry credentials")
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK):
        return url
    raise PermanentGitError(f"clone_url scheme not allowed: {parts.scheme or 'none'}")


def check_branch(name: str) -> str:
    """Return a branch name that is safe to put in a refspec; raise GitError otherwise."""
    bad = name.startswith(("-", "/")) or ".." in name or any(c in name for c in " ~^:?*[\\\0")
    if not name or bad or name.endswith((".lock", "/")):
        raise PermanentGitError(f"bad branch name: {name!r}")
    return name


def auth_env(token: str) -> dict[str, str]:
    """Return the git environment that sends the token as a Basic auth header."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


class Mirrors:
    """The bare mirrors under one data directory, one per repository id."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "mirrors"

    def path(self, repo_id: int) -> Path:
        """Return where a repository's mirror lives."""
        return self.root / f"{int(repo_id)}.git"

    def fetch(self, repo_id: int, clone_url: str, base_ref: str, pr_number: int, token: str | None) -> GitRepo:
        """Fetch a PR's base branch and `refs/pull/N/head` (so forks work) into the mirror."""
        refspecs = [
            f"+refs/heads/{check_branch(base_ref)}:refs/heads/{base_ref}",
            f"+refs/pull/{int(pr_number)}/head:refs/pull/{int(pr_number)}/head",
        ]
        return self._fetch(repo_id, clone_url, refspecs, token)

    def fetch_branch(self, repo_id: int, clone_url: str, branch: str, token: str | None) -> GitRepo:
        """Fetch one branch (the default branch, for a push) into the mirror."""
        return self._fetch(repo_id, clone_url, [f"+refs/heads/{check_branch(branch)}:refs/heads/{branch}"], token)

    def _fetch(self, repo_id: int, clone_url: str, refspecs: list[str], token: str | None) -> GitRepo:
        """Fetch refspecs into a repository's mirror, creating it on first use."""
        path = self.path(repo_id)
        with self._locked(path):
            if not (path / "HEAD").exists():
                self._git(["init", "--bare", "--quiet", str(path)], None)
            self._git(["-C", str(path), "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", BLOB_FILTER,
                       "--end-of-options", check_clone_url(clone_url), *refspecs], token)
        return GitRepo(path)

    def remove(self, repo_id: int) -> None:
        """Delete a repository's mirror (the App lost access to it)."""
        path = self.path(repo_id)
        with self._locked(path):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def _locked(self, path: Path) -> Iterator[None]:
        """Hold an exclusive lock on one mirror, across processes."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _git(args: list[str], token: str | None) -> None:
        """Run git with hooks and prompts off, the token only in the environment."""
        env = git_env()
        if token:
            env.update(auth_env(token))
        try:
            proc = subprocess.run(
                ["git", *GIT_CONFIG, *FETCH_CONFIG, *args],  # noqa: S607 - git from PATH, as GitRepo runs it
                capture_output=True, env=env, timeout=FETCH_TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[-4] if len(args) > 3 else args[0]} timed out") from None
        if proc.returncode != 0:
            raise _failure(proc.stderr.decode("utf-8", "replace"), token)


def _failure(stderr: str, token: str | None) -> GitError:
    """Return the error of a failed git command: permanent when the repository is gone, else retriable."""
    lines = stderr.strip().splitlines()
    first = _redact(lines[0] if lines else "git fetch failed", token)
    if GONE.search(stderr):
        return PermanentGitError(f"the repository is gone or no longer readable ({first})")
    return GitError(first)


def _redact(message: str, token: str | None) -> str:
    """Remove a token from a message, should git ever echo it."""
    return message.replace(token, "***") if token else message
