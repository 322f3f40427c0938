"""What a repo check reads of the per-file facts, recorded so its result can be reused when none of it changed.

A repo check is a pure function of its snapshot's path listing, policy and the per-file facts it
reads. Recording the facts it reads (a data key such as `python.imports`, or a field such as `loc`)
lets the head of a PR reuse the base's result for every check whose reads are equal in the files the
PR changed: a PR that appends a function to twenty modules re-runs the checks that read definitions,
not the import graph or the test imports. Names are recorded per check, not per file (coarser, so
sound): a check that read `python.imports` anywhere is re-run when any changed file's imports changed.

Shared builds (the `per_view` memos) record their own reads and hand them to every check that uses
them, so a check that finds the module index already built still depends on what building it read.

A check that uses only part of a fact says so with `projected`: it records `python.defs|truthy` (does
the file define anything?) instead of `python.defs`, optionally for one file only, so a PR that
appends a function to a module that already defined some does not re-run it.

A check that must re-run may still reuse part of its work: `stage` names an intermediate result
(module coverage's "which modules do the tests reach") that is kept with its own reads, so a PR that
makes one more module owed a test re-judges each module without resolving every test's imports again.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

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
def _collecting(seen: set[str]) -> Iterator[None]:
    """Collect into `seen` the facts read inside the block, out of the enclosing recorder's hearing."""
    _recorders.append(seen)
    try:
        yield
    finally:
        _recorders.pop()


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """Record the facts read inside the block; an enclosing recorder hears them too."""
    seen: set[str] = set()
    try:
        with _collecting(seen):
            yield seen
    finally:
        note_all(frozenset(seen))


Staged = tuple[Any, frozenset[str]]  # an intermediate result (JSON data) and the facts building it read
_J = TypeVar("_J")


@dataclass
class Stages:
    """The intermediate results of one snapshot's checks, and an earlier snapshot's they may reuse."""

    earlier: Mapping[str, Staged]
    reusable: Callable[[frozenset[str]], bool]  # whether reads made on the earlier snapshot still hold
    made: dict[str, Staged] = field(default_factory=dict)

    def kept(self) -> dict[str, Staged]:
        """Return this snapshot's results, and the earlier ones still valid that no check asked for."""
        # A check reused whole did not ask for its stages; they stay valid (its reads hold theirs).
        carried = {name: staged for name, staged in self.earlier.items()
                   if name not in self.made and self.reusable(staged[1])}
        return {**self.made, **carried}


_stages: list[Stages] = []  # the snapshot whose checks run now (one at a time on this thread)


@contextlib.contextmanager
def staging(stages: Stages) -> Iterator[Stages]:
    """Let the checks run inside the block build (or reuse) intermediate results into `stages`."""
    _stages.append(stages)
    try:
        yield stages
    finally:
        _stages.pop()


def stage(name: str, build: Callable[[], _J]) -> _J:
    """Return a named intermediate result: built once per snapshot, or the earlier one's when what it read holds.

    The value must be JSON data (lists, not sets), as it is stored with the snapshot's results. The
    reads of building it are recorded for the caller too, whether it was built or reused.
    """
    if not _stages:
        return build()
    current = _stages[-1]
    made = current.made.get(name)
    if made is None:
        earlier = current.earlier.get(name)
        if earlier is not None and current.reusable(earlier[1]):
            made = earlier
        else:
            seen: set[str] = set()
            with _collecting(seen):
                value = build()
            made = (value, frozenset(seen))
        current.made[name] = made
    note_all(made[1])
    return made[0]


# What a check may read of a fact instead of all of it, by name. Registered where they are used; a
# name recorded with an unknown projection (none should be) reads as a value that never compares equal.
PROJECTIONS: dict[str, Callable[[Any], Any]] = {}
ONE_FILE = "\0"  # `path\0name`: a read of one file's fact only (git paths hold no NUL)
PROJECTED = "|"  # `name|projection`: only the projection of the fact was read


def projection(name: str, project: Callable[[Any], Any]) -> str:
    """Register a projection of facts under a name (a check module does so once, at import) and return the name."""
    if PROJECTED in name or PROJECTIONS.get(name, project) is not project:
        raise ValueError(f"projection {name!r} is taken or malformed")
    PROJECTIONS[name] = project
    return name


class projected:  # lower-case: used like a function, `with projected(...)`
    """Record, for the reads inside the block, only a projection of one fact (of one file, when `path` is given).

    The block must read that fact alone and use no more of it than the projection keeps. Any other
    read inside it is recorded as it is, so a block that reads more stays sound, only coarser. A class,
    not a generator: module coverage enters two per Python file of a snapshot.
    """

    __slots__ = ("_name", "_recorded", "_seen")

    def __init__(self, name: str, how: str, path: str | None = None) -> None:
        if how not in PROJECTIONS:
            raise KeyError(f"unknown projection {how!r}")
        recorded = f"{name}{PROJECTED}{how}"
        self._name = name
        self._recorded = recorded if path is None else f"{path}{ONE_FILE}{recorded}"
        self._seen: set[str] = set()

    def __enter__(self) -> None:
        _recorders.append(self._seen)

    def __exit__(self, *_exc: object) -> None:
        _recorders.pop()
        self._seen.discard(self._name)
        self._seen.add(self._recorded)
        note_all(frozenset(self._seen))


TRUTHY = projection("truthy", bool)  # only whether the fact is there and not empty


class _Unequal:
    """A value equal to nothing, not even itself: a read that cannot be evaluated is never the same."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


@functools.cache
def _parts(name: str) -> tuple[str | None, str, str | None]:
    """Return a recorded name's file (None: every file), fact and projection (None: the whole fact)."""
    path, _, rest = name.rpartition(ONE_FILE)
    fact, _, how = rest.partition(PROJECTED)
    return path if ONE_FILE in name else None, fact, how or None


def read_value(facts: FileFacts, name: str) -> Any:
    """Return the value a recorded name reads from one file's facts (what two snapshots are compared on)."""
    _, fact, how = _parts(name)
    if fact.startswith("@"):
        value = getattr(facts, fact[1:])  # a field: `@loc` reads `facts.loc`
    else:
        value = facts.data if fact == EVERYTHING else facts.data.get(fact)
    if how is None:
        return value
    project = PROJECTIONS.get(how)
    return _Unequal() if project is None else project(value)


def base_name(name: str) -> str:
    """Return the fact a recorded name reads, without its file and projection (`python.defs`)."""
    return _parts(name)[1]


def _applies(name: str, path: str) -> bool:
    """Return whether a recorded name reads the file at `path` (a one-file read reads only its own)."""
    only = _parts(name)[0]
    return only is None or only == path


def same_reads(names: frozenset[str], before: FileFacts, after: FileFacts) -> bool:
    """Return whether every recorded name reads the same value in two versions of a file's facts."""
    return all(read_value(before, name) == read_value(after, name) for name in names if _applies(name, after.path))


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
