"""Version specifiers: whether one has an upper bound, and whether two can never both hold.

This is a deliberately small subset of PEP 440: plain release numbers with an optional a/b/rc
pre-release or .post suffix. Anything else (local versions, dev releases, arbitrary strings) is
"unknown", and unknown never produces a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLAUSE = re.compile(r"(===|==|!=|~=|<=|>=|<|>)(.+)")
_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)(?:(a|b|rc|c)(\d+))?(?:\.?post(\d+))?")
_WILDCARD = re.compile(r"v?(\d+(?:\.\d+)*)\.\*")
_PRE_RANK = {"a": 0, "b": 1, "rc": 2, "c": 2}
_FINAL = 3
_WIDTH = 8  # release numbers are padded to this many parts so that 1.0 == 1.0.0
BOUNDING_OPERATORS = ("===", "==", "~=", "<", "<=")

VersionKey = tuple[int, ...]


def is_bounded(spec: str) -> bool:
    """Return whether a PEP 440 specifier caps the version (==, ===, ~=, < or <= in some clause)."""
    for clause in spec.split(","):
        match = _CLAUSE.fullmatch(clause.strip())
        if match and match.group(1) in BOUNDING_OPERATORS:
            return True
    return False


def version_key(text: str) -> VersionKey | None:
    """Return a sortable key for a plain version, or None for versions this module does not model."""
    match = _VERSION.fullmatch(text.strip().lower())
    if match is None:
        return None
    release = [int(p) for p in match.group(1).split(".")]
    if len(release) > _WIDTH:
        return None
    pre = (_PRE_RANK[match.group(2)], int(match.group(3))) if match.group(2) else (_FINAL, 0)
    post = int(match.group(4)) if match.group(4) else -1
    return (*release, *([0] * (_WIDTH - len(release))), *pre, post)


def _release_key(release: list[int], pre_floor: bool) -> VersionKey:
    """Return the key of a bare release, below its own pre-releases when `pre_floor` is set."""
    padded = [*release, *([0] * (_WIDTH - len(release)))]
    return (*padded, -1, 0, -1) if pre_floor else (*padded, _FINAL, 0, -1)


@dataclass(frozen=True)
class Bound:
    """One end of a version range."""

    key: VersionKey
    inclusive: bool


@dataclass(frozen=True)
class Range:
    """The versions a specifier allows: between two optional bounds."""

    low: Bound | None = None
    high: Bound | None = None

    def meet(self, other: Range) -> Range:
        """Return the versions both ranges allow."""
        return Range(_tighter(self.low, other.low, lower=True), _tighter(self.high, other.high, lower=False))

    @property
    def empty(self) -> bool:
        """Return whether no version fits."""
        if self.low is None or self.high is None:
            return False
        if self.low.key != self.high.key:
            return self.low.key > self.high.key
        return not (self.low.inclusive and self.high.inclusive)


def _tighter(a: Bound | None, b: Bound | None, *, lower: bool) -> Bound | None:
    """Return the stricter of two bounds on the same side."""
    if a is None or b is None:
        return a or b
    if a.key != b.key:
        return max(a, b, key=lambda x: x.key) if lower else min(a, b, key=lambda x: x.key)
    return Bound(a.key, a.inclusive and b.inclusive)


def spec_range(spec: str) -> Range | None:
    """Return the range a specifier allows, or None when a clause is not modelled."""
    allowed = Range()
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            return None
        operator, version = match.groups()
        if operator == "!=":
            continue  # an exclusion never makes two otherwise compatible ranges disjoint here
        part = _clause_range(operator, version.strip())
        if part is None:
            return None
        allowed = allowed.meet(part)
    return allowed


def _clause_range(operator: str, version: str) -> Range | None:
    """Return the range of one `op version` clause."""
    wildcard = _WILDCARD.fullmatch(version)
    if wildcard is not None:
        if operator != "==":
            return None
        release = [int(p) for p in wildcard.group(1).split(".")]
        upper = _bump(release, len(release) - 1)
        return Range(Bound(_release_key(release, True), True), Bound(_release_key(upper, True), False))
    key = version_key(version)
    if key is None:
        return None
    if operator == "~=":
        release = _release(version)
        if len(release) < 2:
            return None
        return Range(Bound(key, True), Bound(_release_key(_bump(release, len(release) - 2), True), False))
    return {
        "==": Range(Bound(key, True), Bound(key, True)),
        "===": Range(Bound(key, True), Bound(key, True)),
        ">=": Range(low=Bound(key, True)),
        ">": Range(low=Bound(key, False)),
        "<=": Range(high=Bound(key, True)),
        "<": Range(high=Bound(key, False)),
    }.get(operator)


def _release(version: str) -> list[int]:
    """Return the release numbers of a version `version_key` accepts (empty otherwise)."""
    match = _VERSION.fullmatch(version.strip().lower())
    return [int(p) for p in match.group(1).split(".")] if match else []


def _bump(release: list[int], index: int) -> list[int]:
    """Return a release with the part at `index` incremented and the parts after it dropped."""
    return [*release[:index], release[index] + 1]


def conflicts(first: str, second: str) -> bool:
    """Return whether two specifiers of one distribution can never both hold (False when unsure)."""
    a, b = spec_range(first), spec_range(second)
    if a is None or b is None:
        return False
    return a.meet(b).empty


def poetry_spec(constraint: str) -> str | None:
    """Return the PEP 440 form of a Poetry constraint (`^1.2`, `~1.2`, `1.2.*`, `>=1 <2`), None if unmodelled."""
    text = constraint.strip()
    if text in ("", "*"):
        return ""
    if "||" in text or "|" in text:
        return None
    clauses = [c for c in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text) if c]
    out = [_poetry_clause(c) for c in clauses]
    if any(c is None for c in out):
        return None
    return ",".join(c for c in out if c)


def _poetry_clause(clause: str) -> str | None:
    """Return one Poetry clause in PEP 440 form."""
    if clause[0] in "^~" and not clause.startswith("~="):
        release = clause[1:].strip()
        parts = release.split(".")
        if not all(p.isdigit() for p in parts):
            return None
        numbers = [int(p) for p in parts]
        if clause[0] == "^":
            index = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
        else:
            index = 0 if len(numbers) == 1 else 1
        upper = ".".join(str(n) for n in _bump(numbers, index))
        return f">={release},<{upper}"
    if clause[0].isdigit():
        return f"=={clause}"
    compact = "".join(clause.split())
    return compact if _CLAUSE.fullmatch(compact) else None
