"""Read commits from a git repository: trees, blobs, merge-base and the PR diff.

Git runs with hooks disabled and never checks anything out, so it works on bare mirrors,
clones without a work tree and dirty checkouts alike.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from app.engine.snapshot import Diff, FileChange, TreeEntry

GIT_CONFIG = ("-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false", "-c", "core.fsmonitor=false")
_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "added", "T": "modified"}


class GitError(RuntimeError):
    """A git command failed; the message is git's own first line."""


def git_env() -> dict[str, str]:
    """Return an environment in which git never prompts, pages or reads global hooks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1"})
    return env


class GitRepo:
    """A local git repository (bare or not) read through git plumbing commands."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def run(self, args: Sequence[str], input_bytes: bytes | None = None) -> bytes:
        """Run one git command in the repository and return its output."""
        cmd = ["git", *GIT_CONFIG, "-C", str(self.path), *args]
        proc = subprocess.run(cmd, input=input_bytes, capture_output=True, env=git_env(), check=False)
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(message[0] if message else f"git {args[0]} failed")
        return proc.stdout

    def check(self) -> None:
        """Raise GitError unless the path is a git repository."""
        if not self.path.is_dir():
            raise GitError(f"not a directory: {self.path}")
        self.run(["rev-parse", "--git-dir"])

    def resolve(self, ref: str) -> str:
        """Return the commit SHA a ref names, or raise GitError."""
        if ref.startswith("-"):
            raise GitError(f"bad ref: {ref}")
        try:
            out = self.run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"])
            return out.decode().strip()
        except GitError:
            raise GitError(f"unknown revision: {ref}") from None

    def merge_base(self, base: str, head: str) -> str:
        """Return the merge-base of two commits, as GitHub diffs a pull request."""
        try:
            return self.run(["merge-base", base, head]).decode().strip()
        except GitError:
            raise GitError(f"no merge-base between {base} and {head}") from None

    def tree(self, sha: str) -> list[TreeEntry]:
        """List every path of a commit with its blob SHA, mode and size."""
        out = self.run(["ls-tree", "-r", "-z", "--long", "--full-tree", sha])
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, _kind, blob, size = meta.decode().split()
            path = raw_path.decode("utf-8", "surrogateescape")
            # `BAD` is what ls-tree prints for a blob a partial clone lacks: read_blobs reports it missing.
            entries.append(TreeEntry(path=path, sha=blob, mode=mode, size=int(size) if size.isdigit() else 0))
        return entries

    def read_file(self, sha: str, path: str) -> bytes | None:
        """Return one file's bytes at a commit, or None when it is absent."""
        for entry in self.tree_paths(sha, [path]):
            return self.read_blobs([entry.sha])[entry.sha]
        return None

    def tree_paths(self, sha: str, paths: Sequence[str]) -> list[TreeEntry]:
        """List only the given paths of a commit (absent ones are left out)."""
        out = self.run(["ls-tree", "-z", "--long", "--full-tree", sha, "--", *paths])
        found = []
        for record in out.split(b"\0"):
            if record:
                meta, _, raw_path = record.partition(b"\t")
                mode, kind, blob, size = meta.decode().split()
                if kind == "blob":
                    found.append(TreeEntry(raw_path.decode("utf-8", "surrogateescape"), blob, mode, int(size)))
        return found

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Read many blobs through one `git cat-file --batch` process."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        cmd = ["git", *GIT_CONFIG, "-C", str(self.path), "cat-file", "--batch"]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=git_env())
        if proc.stdin is None or proc.stdout is None:
            raise GitError("git cat-file did not start")
        # Write requests from a thread so a full output pipe can never deadlock the reader.
        writer = threading.Thread(target=_write_requests, args=(proc.stdin, wanted), daemon=True)
        writer.start()
        blobs: dict[str, bytes] = {}
        for sha in wanted:
            header = proc.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            blobs[sha] = proc.stdout.read(size)
            proc.stdout.read(1)
        writer.join()
        proc.stdout.close()
        proc.wait()
        return blobs

    def diff(self, base: str, head: str) -> Diff:
        """Return the change from base to head: statuses, renames and added lines."""
        out = self.run(["diff", "--no-color", "--no-ext-diff", "-z", "--name-status", "-M", base, head])
        changes = _parse_name_status(out)
        added = self._added_lines(base, head)
        renames = {c.old_path: c.path for c in changes if c.status == "renamed"}
        return Diff(
            changes=tuple(
                FileChange(c.status, c.path, c.old_path, frozenset(added.get(c.path, ()))) for c in changes
            ),
            renames=renames,
        )

    def _added_lines(self, base: str, head: str) -> dict[str, set[int]]:
        """Return the head line numbers each file gained, parsed with unidiff."""
        # Added files need no hunks (every line is added): parse only modified and renamed files.
        raw = self.run(["diff", "--no-color", "--no-ext-diff", "-M", "-U0", "--diff-filter=MRT", base, head])
        try:
            patch = PatchSet(raw.decode("utf-8", "replace"))
        except UnidiffParseError:
            return {}
        lines: dict[str, set[int]] = {}
        for patched in patch:
            path = _strip_prefix(patched.target_file)
            numbers = {ln.target_line_no for hunk in patched for ln in hunk if ln.is_added and ln.target_line_no}
            lines.setdefault(path, set()).update(numbers)
        return lines


def _write_requests(pipe: IO[bytes], shas: list[str]) -> None:
    """Feed blob SHAs to a cat-file process."""
    try:
        for start in range(0, len(shas), 256):
            pipe.write("".join(f"{s}\n" for s in shas[start : start + 256]).encode())
        pipe.close()
    except BrokenPipeError:
        pass


def _strip_prefix(path: str) -> str:
    """Turn unidiff's `b/path` into `path`."""
    return path[2:] if path.startswith(("a/", "b/")) else path


def _parse_name_status(out: bytes) -> list[FileChange]:
    """Parse `git diff -z --name-status -M` output."""
    fields = [f.decode("utf-8", "surrogateescape") for f in out.split(b"\0")]
    changes = []
    i = 0
    while i < len(fields) and fields[i]:
        code = fields[i][0]
        if code in ("R", "C"):
            old, new = fields[i + 1], fields[i + 2]
            status = "renamed" if code == "R" else "added"
            changes.append(FileChange(status, new, old if code == "R" else new))
            i += 3
            continue
        path = fields[i + 1]
        changes.append(FileChange(_STATUS.get(code, "modified"), path, path))
        i += 2
    return changes


class GitSnapshot:
    """One commit of a GitRepo, seen through the engine's Snapshot interface."""

    def __init__(self, repo: GitRepo, sha: str) -> None:
        self.repo = repo
        self._sha = sha
        self._tree: list[TreeEntry] | None = None

    @property
    def sha(self) -> str:
        """Return the commit SHA."""
        return self._sha

    def tree(self) -> list[TreeEntry]:
        """List every path of the commit with its blob SHA, mode and size."""
        if self._tree is None:
            self._tree = self.repo.tree(self._sha)
        return self._tree

    def read_blobs(self, shas: Iterable[str]) -> Mapping[str, bytes]:
        """Read several blobs at once, keyed by SHA."""
        return self.repo.read_blobs(shas)
