"""## What it does
Flags a class or function that is defined, as a copy, in two or more modules of one project: the
same public name, defined at the top level of each module, with at least half of their contents
identical (the base classes or signature, and each statement or method of the body, compared by
structure: docstrings, comments, formatting and line numbers aside).

Every copy is reported, each naming the others. Modules are compared when they belong to the same
project: regular packages (directories with `__init__.py`) under the same import root (the
repository root, `src/`, or a directory holding packages, as in a monorepo's `services/shop/`).

Not compared, to keep legitimate patterns out:
- definitions whose bodies differ: interchangeable implementations of one interface (database
  backends, platform modules, sync and async variants) share names but not code;
- small definitions (a body of fewer than two statements), such as `class NotFound(Error): pass`;
- private names (`_helper`) and conventional entry points that every module of a kind defines
  (`main`, `run`, `setup`, `cli`, `Command`, `Migration`, `Meta`, `Config`...);
- a module in a version the other is not in (`api/v1/models.py` and `api/v2/models.py`,
  `compat/py2.py` and `compat/py3.py`, `pkg/v1/utils.py` or `pkg/legacy/utils.py` and
  `pkg/utils.py`): frozen copies of an older version are kept by design;
- test files, type stubs, scripts outside packages, and generated or vendored code (`migrations/`,
  `vendor/`, `*_pb2.py`...). Two definitions in one module are ruff's `F811`, not this check.

## Why is this bad?
Two copies of one class are two different classes: an `isinstance` check, an `except` clause or a
registry keyed by the class accepts one and silently rejects the other, depending on which module a
caller imported it from. Fixes and changes land in one copy and not the other, and the copies drift.

## Example
```python
# shop/models/base.py
class BaseModel:
    def save(self): ...
    def delete(self): ...

# shop/db/base.py: a copy
class BaseModel:
    def save(self): ...
    def delete(self): ...
```

## Use instead
Keep one definition and import it everywhere:
```python
# shop/db/base.py
from shop.models.base import BaseModel
```
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from app.checks.architecture.modules import Layout, build_layout, package_dirs
from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.facts.python_defs import KEY as DEFS
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("ARC003", "duplicate-definition", Domain.ARCHITECTURE, Severity.MEDIUM, __doc__)

MIN_STATEMENTS = 2
MIN_SHARED = 0.5  # the share of identical parts (of both definitions together) that makes a copy
MAX_PAIRWISE = 40  # beyond this many definitions of one name, only exact copies are matched
MAX_NAMED = 3
CONVENTIONAL = frozenset(
    {
        "main", "run", "setup", "teardown", "cli", "app", "handler", "lambda_handler", "includeme",
        "register", "load_tests", "upgrade", "downgrade", "Command", "Migration", "Meta", "Config",
    }
)
VERSION = re.compile(r"^((v|py|python|api_?v?)?\d+([._]\d+)*([a-z]+\d*)?|legacy)$", re.IGNORECASE)


@dataclass(frozen=True)
class Definition:
    """One top-level definition that could be a copy."""

    path: str
    name: str
    kind: str
    line: int
    parts: Counter[str]


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report every copy of a class or function defined in several modules of one project."""
    layout = build_layout(view)
    for group in _candidates(view, layout).values():
        for cluster in _clusters(group):
            yield from _report(layout, cluster)


def _candidates(view: RepoView, layout: Layout) -> dict[tuple[str, str, str], list[Definition]]:
    """Group the comparable definitions by project root, kind and name."""
    packages = package_dirs(view.all_paths)
    groups: dict[tuple[str, str, str], list[Definition]] = defaultdict(list)
    for path in sorted(layout.names):
        if path.rsplit("/", 1)[0] not in packages or "/" not in path:
            continue  # a script outside any package is not part of a package's API
        latest: dict[tuple[str, str], Definition] = {}
        for entry in view.data(path, DEFS) or []:
            definition = _definition(path, entry)
            if definition is not None:
                latest[(definition.kind, definition.name)] = definition  # the last one wins at run time
        for (kind, name), definition in latest.items():
            groups[(layout.roots[path], kind, name)].append(definition)
    return {key: defs for key, defs in groups.items() if len(defs) > 1}


def _definition(path: str, entry: object) -> Definition | None:
    """Return a definition worth comparing, or None (private, conventional, small or malformed)."""
    if not isinstance(entry, dict):
        return None
    name = str(entry.get("name", ""))
    if not name or name.startswith("_") or name in CONVENTIONAL:
        return None
    if int(entry.get("size") or 0) < MIN_STATEMENTS or not entry.get("parts"):
        return None
    parts = Counter(str(p) for p in entry["parts"])
    return Definition(path, name, str(entry.get("kind", "")), int(entry.get("line") or 0), parts)


def _clusters(group: list[Definition]) -> list[list[Definition]]:
    """Return the sets of definitions linked by being copies of each other (two or more each)."""
    parent = list(range(len(group)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _linked_pairs(group):
        parent[root(i)] = root(j)
    clusters: dict[int, list[Definition]] = defaultdict(list)
    for i, definition in enumerate(group):
        clusters[root(i)].append(definition)
    return [c for c in clusters.values() if len(c) > 1]


def _linked_pairs(group: list[Definition]) -> Iterator[tuple[int, int]]:
    """Yield the index pairs of definitions that are copies of each other."""
    if len(group) > MAX_PAIRWISE:
        exact: dict[tuple[str, ...], int] = {}
        for i, definition in enumerate(group):
            key = tuple(sorted(definition.parts.elements()))
            if key in exact and not _parallel_versions(group[exact[key]].path, definition.path):
                yield exact[key], i
            exact.setdefault(key, i)
        return
    for i, j in combinations(range(len(group)), 2):
        a, b = group[i], group[j]
        if similarity(a.parts, b.parts) >= MIN_SHARED and not _parallel_versions(a.path, b.path):
            yield i, j


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Return the share of parts two definitions have in common (Jaccard index of the multisets)."""
    union = sum((a | b).values())
    return sum((a & b).values()) / union if union else 0.0


def _parallel_versions(a: str, b: str) -> bool:
    """Return whether one path is in a version the other is not (`v1/`, `py2.py`, `legacy/`): copies by design."""
    left = set(a.removesuffix(".py").split("/"))
    right = set(b.removesuffix(".py").split("/"))
    return any(VERSION.match(part) for part in left ^ right)


def _report(layout: Layout, cluster: list[Definition]) -> Iterator[RepoFinding]:
    """Yield one finding per copy, naming (some of) the modules that hold the others."""
    names = sorted(layout.names[d.path] for d in cluster)
    for definition in cluster:
        own = layout.names[definition.path]
        others = [name for name in names[: MAX_NAMED + 1] if name != own][:MAX_NAMED]
        shown = ", ".join(f"`{name}`" for name in others)
        if len(cluster) - 1 > MAX_NAMED:
            shown += f" and {len(cluster) - 1 - MAX_NAMED} more"
        word = "class" if definition.kind == "class" else "function"
        message = f"{word} `{definition.name}` is also defined, as a copy, in {shown}"
        snippet = f"duplicate:{definition.kind}:{definition.name}"
        yield RepoFinding(definition.path, RawFinding(RULE.code, definition.line, message, snippet=snippet))


CHECK = RepoCheck(RULE, find)
