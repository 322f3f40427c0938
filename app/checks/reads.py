"""What a repo check reads of the per-file facts, recorded so its result can be reused when none of it changed.

A repo check is a pure function of its snapshot's path listing, policy and the per-file facts it
reads. Recording the facts it reads (a data key such as `python.imports`, or a field such as `loc`)
lets the head of a PR reuse the base's result for every check whose reads are equal in the files the
PR changed: a PR that appends a function to twenty modules re-runs the checks that read definitions,
not the import graph or the test imports. Names are recorded per check, not per file (coarser, so
sound): a check that read `python.imports` anywhere is re-run when any changed file's imports changed.

Shared builds (the `per_view` memos) record their own reads and hand them to every check that uses
them, so a check that finds the module index already built still depends on what building it read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from app.engine.model import FileFacts, RawFinding

EVERYTHING = "*"  # the whole data mapping was read (iterated, counted or compared)
# A field of the facts read: `@` and the field's name.
KIND, LOC, FINDINGS, SUPPRESSIONS, SKIPPED = "@kind", "@loc", "@findings", "@suppressions", "@skipped"

# The recorders in use, innermost last: a check's, then a shared build's inside it. One audit runs its
# repo checks on one thread, so a plain list suffices.
_recorders: list[set[str]] = []


def note(name: str) -> None:
    """Tell the innermost recorder that a fact of this name was read (nothing when none records)."""
    if _recorders:
        _recorders[-1].add(name)


def note_all(names: frozenset[str]) -> None:
    """Tell the innermost recorder that these facts were read (a shared build's reads, reused)."""
    if _recorders:
        _recorders[-1].update(names)


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """Record the facts read inside the block; an enclosing recorder hears them too."""
    seen: set[str] = set()
    _recorders.append(seen)
    try:
        yield seen
    finally:
        _recorders.pop()
        note_all(frozenset(seen))


def read_value(facts: FileFacts, name: str) -> Any:
    """Return the value a recorded name reads from one file's facts (what two snapshots are compared on)."""
    if name.startswith("@"):
        return getattr(facts, name[1:])  # a field: `@loc` reads `facts.loc`
    return facts.data if name == EVERYTHING else facts.data.get(name)


def same_reads(names: frozenset[str], before: FileFacts, after: FileFacts) -> bool:
    """Return whether every recorded name reads the same value in two versions of a file's facts."""
    return all(read_value(before, name) == read_value(after, name) for name in names)


class WatchedData(Mapping[str, Any]):
    """A file's facts data that records each key read; iterating or counting reads everything."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        note(key)
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Return one key's data (recorded)."""
        note(key)
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        note(str(key))
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        note(EVERYTHING)
        return iter(self._data)

    def __len__(self) -> int:
        note(EVERYTHING)
        return len(self._data)


class WatchedFacts:
    """A file's facts as repo checks see them: every field but the path is recorded when read."""

    __slots__ = ("_data", "_facts", "path")

    def __init__(self, facts: FileFacts) -> None:
        self._facts = facts
        self._data = WatchedData(facts.data)
        self.path = facts.path  # paths are the listing, compared as a whole

    @property
    def kind(self) -> str:
        """Return the file's kind (recorded)."""
        note(KIND)
        return self._facts.kind

    @property
    def loc(self) -> int:
        """Return the file's lines of code (recorded)."""
        note(LOC)
        return self._facts.loc

    @property
    def findings(self) -> list[RawFinding]:
        """Return the file's own findings (recorded)."""
        note(FINDINGS)
        return self._facts.findings

    @property
    def suppressions(self) -> dict[int, tuple[tuple[str, ...], str]]:
        """Return the file's suppression comments (recorded)."""
        note(SUPPRESSIONS)
        return self._facts.suppressions

    @property
    def skipped(self) -> str:
        """Return why the file was skipped (recorded)."""
        note(SKIPPED)
        return self._facts.skipped

    @property
    def data(self) -> WatchedData:
        """Return the file's extractor data, which records each key read."""
        return self._data
