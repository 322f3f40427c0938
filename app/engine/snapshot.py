"""The small interface through which the engine reads a commit, and the diff between two."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

MISSING_SIZE = -1  # the size of a blob the repository lacks (a partial clone) or could not read


@dataclass(frozen=True)
class TreeEntry:
    """One path in a commit's tree."""

    path: str
    sha: str
    mode: str
    size: int

    @property
    def is_missing(self) -> bool:
        """Return whether the blob is absent from the repository, so it can never be read."""
        return self.size < 0

    @property
    def is_symlink(self) -> bool:
        """Return whether the entry is a symbolic link (never followed)."""
        return self.mode == "120000"

    @property
    def is_submodule(self) -> bool:
        """Return whether the entry is a submodule commit."""
        return self.mode == "160000"


class Snapshot(Protocol):
    """A read-only view of one commit."""

    @property
    def sha(self) -> str:
        """Return the commit SHA."""
        ...

    def tree(self) -> list[TreeEntry]:
        """List every path of the commit with its blob SHA, mode and size."""
        ...

    def read_blobs(self, shas: Iterable[str]) -> Mapping[str, bytes]:
        """Read several blobs at once, keyed by SHA."""
        ...


@dataclass(frozen=True)
class FileChange:
    """One file's change between base and head."""

    status: str  # "added", "modified", "deleted", "renamed"
    path: str  # the head path (the base path for deletions)
    old_path: str  # the base path (same as path unless renamed)
    added_lines: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Diff:
    """The change from base to head, as GitHub shows a pull request."""

    changes: tuple[FileChange, ...] = ()
    renames: Mapping[str, str] = field(default_factory=dict)  # base path -> head path

    def by_path(self) -> dict[str, FileChange]:
        """Return the changes keyed by head path."""
        return self._by_path

    @functools.cached_property
    def _by_path(self) -> dict[str, FileChange]:
        """Index the changes by head path once."""
        return {c.path: c for c in self.changes if c.status != "deleted"}

    def changed_paths(self) -> set[str]:
        """Return every head path the PR added, modified or renamed."""
        return set(self._by_path)

    def is_added_line(self, path: str, line: int) -> bool:
        """Return whether a head line was added by the PR (every line of an added file is)."""
        change = self._by_path.get(path)
        return change is not None and (change.status == "added" or line in change.added_lines)
