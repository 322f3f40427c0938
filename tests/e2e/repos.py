"""Real git repositories for the tests: commit files, publish branches and PR heads to the server."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "Test",
       "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
       "PATH": "/usr/local/bin:/usr/bin:/bin"}


def git(cwd: Path, *args: str) -> str:
    """Run git in a directory and return its output."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=ENV, check=False)
    if proc.returncode:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.strip()


class Repo:
    """A work tree whose commits are pushed to a bare repository the git server serves."""

    def __init__(self, served_root: Path, work_root: Path, full_name: str) -> None:
        self.full_name = full_name
        self.bare = served_root / f"{full_name}.git"
        self.work = work_root / full_name.replace("/", "__")
        self.bare.mkdir(parents=True)
        git(self.bare, "init", "--bare", "-q", "-b", "main")
        git(self.bare, "config", "uploadpack.allowFilter", "true")  # as GitHub: the mirrors fetch partially
        self.work.mkdir(parents=True)
        git(self.work, "init", "-q", "-b", "main")

    def commit(self, files: Mapping[str, str | None], message: str = "change", branch: str = "main",
               parent: str | None = None) -> str:
        """Write (or delete, for None) files on a branch and return the new commit's SHA."""
        if parent:
            git(self.work, "checkout", "-q", "-B", branch, parent)
        elif branch != git(self.work, "branch", "--show-current") and git(self.work, "branch", "--list", branch):
            git(self.work, "checkout", "-q", branch)
        elif branch != "main" and not git(self.work, "branch", "--list", branch):
            git(self.work, "checkout", "-q", "-b", branch)
        for path, text in files.items():
            target = self.work / path
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.work, "rev-parse", "HEAD")

    def publish(self, branch: str = "main") -> None:
        """Push a branch to the served repository."""
        git(self.work, "push", "-q", "--force", str(self.bare), f"{branch}:refs/heads/{branch}")

    def fast_forward(self, branch: str, sha: str) -> None:
        """Move a branch to a commit and publish it: a fast-forward merge, as GitHub's rebase merge may do."""
        git(self.work, "checkout", "-q", "-B", branch, sha)
        self.publish(branch)

    def open_pull(self, number: int, head_sha: str) -> None:
        """Point `refs/pull/N/head` of the served repository at a commit, as GitHub does on push."""
        git(self.work, "push", "-q", "--force", str(self.bare), f"{head_sha}:refs/pull/{number}/head")

    def added_lines(self, base: str, head: str) -> dict[str, set[int]]:
        """Return the head lines GitHub's diff of a PR shows (added and context), per path."""
        merge_base = git(self.work, "merge-base", base, head)
        out = git(self.work, "diff", "-U3", merge_base, head)
        from unidiff.patch import PatchSet

        lines: dict[str, set[int]] = {}
        for patched in PatchSet(out):
            path = patched.target_file[2:] if patched.target_file.startswith("b/") else patched.target_file
            lines[path] = {ln.target_line_no for hunk in patched for ln in hunk if ln.target_line_no}
        return lines
