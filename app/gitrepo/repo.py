"""Read commits from a git repository: trees, blobs, merge-base and the PR diff.

Git runs with hooks disabled and never checks anything out, so it works on bare mirrors,
clones without a work tree and dirty checkouts alike.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from app.engine.snapshot import MISSING_SIZE, Diff, FileChange, TreeEntry

GIT_CONFIG = ("-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false", "-c", "core.fsmonitor=false")
# Reading never touches the network: in a partial clone, git would otherwise fetch an absent blob
# from the promisor remote the moment anything asks for it (old gits ignore GIT_NO_LAZY_FETCH).
READ_CONFIG = ("-c", "protocol.allow=never")
LIST_TREE = ("ls-tree", "-z", "--full-tree")
TREES_KEPT = 4  # commit listings a GitRepo keeps: an audit lists base and head, then diffs them
PROMISOR_KEYS = r"^(remote\..*\.promisor|extensions\.partialclone)$"
_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "added", "T": "modified"}


class GitError(RuntimeError):
    """A git command failed; the message is git's own first line."""


class PermanentGitError(GitError):
    """A git failure no retry can fix: a refused clone URL or ref name, a repository that is gone."""


def git_env() -> dict[str, str]:
    """Return an environment in which git never prompts, pages or reads global hooks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1"})
    return env


def read_env() -> dict[str, str]:
    """Return the environment of a reading git command: no prompts and no lazy fetch of absent blobs."""
    return {**git_env(), "GIT_NO_LAZY_FETCH": "1"}


class GitRepo:
    """A local git repository (bare or not) read through git plumbing commands."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._trees: dict[str, list[TreeEntry]] = {}  # the last few commits listed, oldest first

    def run(self, args: Sequence[str], input_bytes: bytes | None = None) -> bytes:
        """Run one git command in the repository and return its output."""
        proc = subprocess.run(self._command(args), input=input_bytes, capture_output=True, env=read_env(), check=False)
        return _checked(args, proc.returncode, proc.stdout, proc.stderr)

    def _command(self, args: Sequence[str]) -> list[str]:
        """Return the argument list of a reading git command in this repository (hooks and prompts off)."""
        return ["git", *GIT_CONFIG, *READ_CONFIG, "-C", str(self.path), *args]

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

    @functools.cached_property
    def is_partial(self) -> bool:
        """Return whether the repository may lack blobs (a partial clone, with a promisor remote)."""
        try:
            out = self.run(["config", "--get-regexp", PROMISOR_KEYS])
        except GitError:  # git exits 1 when no key matches
            return False
        return any(line.split(b" ", 1)[-1].strip().lower() not in (b"false", b"") for line in out.splitlines())

    def missing_blobs(self, *commits: str) -> frozenset[str]:
        """Return the blobs the commits' trees name but the repository lacks (never fetching them)."""
        return frozenset(e.sha for listing in self.trees(commits) for e in listing if e.is_missing)

    def trees(self, shas: Sequence[str]) -> list[list[TreeEntry]]:
        """List several commits; git lists the ones not listed yet side by side (it spends its time reading sizes)."""
        unlisted = [sha for sha in dict.fromkeys(shas) if sha not in self._trees]
        if len(unlisted) > 1 and not self.is_partial:
            outputs = self.run_together([[*LIST_TREE, "-r", "--long", sha] for sha in unlisted])
            for sha, out in zip(unlisted, outputs, strict=True):
                self._keep(sha, _tree_entries(out))
        return [self.tree(sha) for sha in shas]

    def run_together(self, commands: Sequence[Sequence[str]]) -> list[bytes]:
        """Run several git commands at once and return their outputs, in order (as `run` would, one by one)."""
        procs = [subprocess.Popen(self._command(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=read_env())
                 for args in commands]
        outputs: list[bytes] = []
        for args, proc in zip(commands, procs, strict=True):
            out, err = proc.communicate()
            outputs.append(_checked(args, proc.returncode, out, err))
        return outputs

    def tree(self, sha: str) -> list[TreeEntry]:
        """List every path of a commit with its blob SHA, mode and size (MISSING_SIZE when absent)."""
        cached = self._trees.get(sha)
        if cached is None:
            cached = self._keep(sha, self._listing(sha))
        return cached

    def _listing(self, sha: str) -> list[TreeEntry]:
        """List a commit's paths from git (uncached)."""
        return self._partial_tree(sha) if self.is_partial else self._list(["-r", "--long", sha])

    def _keep(self, sha: str, listing: list[TreeEntry]) -> list[TreeEntry]:
        """Remember a commit's listing among the last few, and return it."""
        if len(self._trees) >= TREES_KEPT:
            self._trees.pop(next(iter(self._trees)))
        self._trees[sha] = listing
        return listing

    def _partial_tree(self, sha: str) -> list[TreeEntry]:
        """List a commit of a partial clone: `ls-tree --long` would die on (or fetch) an absent blob."""
        entries = self._list(["-r", sha])
        # `--missing=print` turns lazy fetching off and prints each absent object as `?sha`.
        out = self.run(["rev-list", "--objects", "--no-walk", "--missing=print", sha])
        missing = {line[1:].decode() for line in out.splitlines() if line.startswith(b"?")}
        sizes = self._sizes(e.sha for e in entries if e.sha not in missing and not e.is_submodule)
        return [TreeEntry(e.path, e.sha, e.mode, sizes.get(e.sha, MISSING_SIZE)) for e in entries]

    def read_file(self, sha: str, path: str) -> bytes | None:
        """Return one file's bytes at a commit, or None when it is absent."""
        for entry in self.tree_paths(sha, [path]):
            blob = self.read_blobs([entry.sha]).get(entry.sha)
            if blob is None:
                raise GitError(f"{path} could not be read (not in the mirror)")
            return blob
        return None

    def tree_paths(self, sha: str, paths: Sequence[str]) -> list[TreeEntry]:
        """List only the given blobs of a commit (absent paths are left out; sizes are not read)."""
        return [e for e in self._list([sha, "--", *paths]) if not e.is_submodule]

    def _list(self, args: Sequence[str]) -> list[TreeEntry]:
        """Run `git ls-tree` and parse its blob and submodule entries (trees are left out)."""
        return _tree_entries(self.run([*LIST_TREE, *args]))

    def _sizes(self, shas: Iterable[str]) -> dict[str, int]:
        """Return the sizes of present objects, through one `git cat-file --batch-check`."""
        wanted = "".join(f"{s}\n" for s in dict.fromkeys(shas))
        if not wanted:
            return {}
        sizes = {}
        for line in self.run(["cat-file", "--batch-check"], wanted.encode()).splitlines():
            fields = line.decode().split()
            if len(fields) == 3 and fields[2].isdigit():
                sizes[fields[0]] = int(fields[2])
        return sizes

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Read many blobs through one `git cat-file --batch` process."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        proc = subprocess.Popen(self._command(["cat-file", "--batch"]), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=read_env())
        if proc.stdin is None or proc.stdout is None:
            raise GitError("git cat-file did not start")
        # Write requests from a thread so a full output pipe can never deadlock the reader.
        writer = threading.Thread(target=_write_requests, args=(proc.stdin, wanted), daemon=True)
        writer.start()
        blobs: dict[str, bytes] = {}
        for sha in wanted:
            header = proc.stdout.readline().split()
            if not header:
                break  # git stopped (an object it could not read): the rest count as unread
            if len(header) < 3 or header[1] == b"missing" or not header[2].isdigit():
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
        # Rename detection and hunks read blobs: leave out the paths whose blobs are absent, and list
        # their changes without reading them (such blobs are over the size limit, never analysed).
        absent = sorted(self._absent_changes(base, head))
        scope = ["--", ".", *(f":(exclude,literal){p}" for p in absent)] if absent else []
        out = self.run(["diff", "--no-color", "--no-ext-diff", "-z", "--name-status", "-M", base, head, *scope])
        changes = _parse_name_status(out)
        if absent:
            listed = self.run(["diff", "--no-color", "--no-ext-diff", "-z", "--name-status", "--no-renames",
                               base, head, "--", *(f":(literal){p}" for p in absent)])
            changes.extend(_parse_name_status(listed))
        added = self._added_lines(base, head, scope)
        renames = {c.old_path: c.path for c in changes if c.status == "renamed"}
        return Diff(
            changes=tuple(
                FileChange(c.status, c.path, c.old_path, frozenset(added.get(c.path, ()))) for c in changes
            ),
            renames=renames,
        )

    def _absent_changes(self, base: str, head: str) -> set[str]:
        """Return the changed paths whose base or head blob the repository lacks."""
        missing = self.missing_blobs(base, head)
        if not missing:
            return set()
        out = self.run(["diff", "--raw", "-z", "--no-renames", "--no-abbrev", base, head])
        fields = out.split(b"\0")
        absent = set()
        for meta, raw_path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.decode().split()
            if len(parts) >= 4 and (parts[2] in missing or parts[3] in missing):
                absent.add(raw_path.decode("utf-8", "surrogateescape"))
        return absent

    def _added_lines(self, base: str, head: str, scope: Sequence[str] = ()) -> dict[str, set[int]]:
        """Return the head line numbers each file gained, parsed with unidiff."""
        # Added files need no hunks (every line is added): parse only modified and renamed files.
        raw = self.run(["diff", "--no-color", "--no-ext-diff", "-M", "-U0", "--diff-filter=MRT", base, head, *scope])
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


def _checked(args: Sequence[str], returncode: int, out: bytes, err: bytes) -> bytes:
    """Return a git command's output, or raise GitError with the first line it printed on failure."""
    if returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[0] if message else f"git {args[0]} failed")
    return out


def _tree_entries(out: bytes) -> list[TreeEntry]:
    """Parse `git ls-tree -z` output into its blob and submodule entries (trees are left out)."""
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, blob, *size = meta.decode().split()
        if kind == "tree":
            continue
        path = raw_path.decode("utf-8", "surrogateescape")
        # `-` is git's size for a submodule; a blob it could not read gets `-` or `BAD`.
        length = int(size[0]) if size and size[0].isdigit() else (0 if kind == "commit" else MISSING_SIZE)
        entries.append(TreeEntry(path=path, sha=blob, mode=mode, size=length))
    return entries


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
