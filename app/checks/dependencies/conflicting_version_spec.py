"""## What it does
Flags a distribution declared twice with version specifiers that cannot both hold.

No version can satisfy both: `==1.0` in `requirements.txt` and `>=2` in `pyproject.toml`, `<2` in the run-time
list and `>=2` in the test group, a lock file pin outside the manifest's range. A project is a folder
with its manifests (a `requirements/` folder belongs to its parent), so two projects of a monorepo
may require different versions. Declarations with different environment markers are never compared,
nor are lists the manifest declares never installed together (`[tool.uv] conflicts`, e.g. a
`pydantic-v1` and a `pydantic-v2` group), nor two version-selector lists of one distribution (a group,
extra or requirements file that declares only that distribution and is named after it: `django52` and
`django60`, one per job of a test matrix), nor two lock files (each pins an environment of its own:
`tests37.txt` for Python 3.7, `test-requirements.oldest.txt` beside `.latest.txt`), nor a lock file and
a pip-compile input that is not its own (`tests37.in` and `dev.txt`), and specifiers Verity cannot
model (local versions, dev releases, URLs) never conflict. A selector list is still compared with every
other list, and a lock file with the manifests (a pin outside `pyproject.toml`'s range conflicts).

## Why is this bad?
The two declarations cannot both be installed: the resolver fails, or, when the files are installed
one after the other, the second silently replaces the first and the code runs against a version the
other file said it does not support. Either way one of the files is wrong, and nobody knows which.

## Example
```text
# requirements.txt
django==3.2.25
```
```toml
# pyproject.toml
dependencies = ["django>=4.2,<5"]
```

## Use instead
```text
# requirements.txt
django==4.2.16
```
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import Declaration, Declared, declared
from app.checks.dependencies.requirements import normalize
from app.checks.dependencies.specifiers import conflicts
from app.checks.facts.dependency_manifests import REQUIREMENTS_FOLDERS
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP005", "conflicting-version-spec", Domain.DEPENDENCIES, Severity.MEDIUM, __doc__)


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report declarations that contradict an earlier declaration of the same distribution."""
    decl = declared(view)
    groups: dict[tuple[str, str, str], list[Declaration]] = defaultdict(list)
    for dep in decl.declarations:
        if dep.spec:
            groups[(project_folder(dep.path), dep.name, dep.marker)].append(dep)
    selectors = _selector_lists(decl)
    for group in groups.values():
        ordered = sorted(group, key=lambda d: (d.path, d.line))
        for index, dep in enumerate(ordered):
            other = next((e for e in ordered[:index] if e.spec and dep.spec and conflicts(e.spec, dep.spec)
                          and not _never_together(decl, selectors, e, dep)), None)
            if other is None:
                continue
            message = (f"`{dep.name}{dep.spec}` ({dep.list}) cannot hold together with "
                       f"`{other.name}{other.spec}` ({other.path}:{other.line})")
            # The declaration's own text, not its partner's: which earlier declaration it is first
            # found against changes when an unrelated one is removed, and that is not a new conflict.
            snippet = f"{dep.name}{dep.spec} in {dep.list}"
            yield RepoFinding(dep.path, RawFinding(RULE.code, dep.line, message, snippet=snippet))


def _bare(name: str) -> str:
    """Return a list or distribution name normalised (PEP 503) without separators, prefix or file suffix."""
    name = name.lower().removeprefix("group:").removeprefix("extra:")
    return normalize(re.sub(r"\.(?:txt|in)$", "", name)).replace("-", "")


def _selector_lists(decl: Declared) -> set[tuple[str, str]]:
    """Return the (path, list) pairs that select a version of one distribution: only it, named after it."""
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for dep in decl.declarations:
        names[(dep.path, dep.list)].add(dep.name)
    selectors: set[tuple[str, str]] = set()
    for (path, name), dists in names.items():
        dist = _bare(next(iter(dists)))
        bare = _bare(name)
        if len(dists) == 1 and bare.startswith(dist) and len(bare) > len(dist):
            selectors.add((path, name))
    return selectors


def _never_together(decl: Declared, selectors: set[tuple[str, str]], first: Declaration, second: Declaration) -> bool:
    """Return whether two declarations sit in lists never installed together: declared so, two selectors,
    two lock files, or a lock file and the input of another lock."""
    lists = {(first.path, first.list), (second.path, second.list)}
    if len(lists) == 2 and lists <= selectors:
        return True
    if _other_environments(first, second) or _other_environments(second, first):
        return True
    return first.path == second.path and decl.exclusive_lists(first.path, first.list, second.list)


def _other_environments(lock: Declaration, other: Declaration) -> bool:
    """Return whether a lock file and another list pin environments of their own (`tests37.txt` for Python 3.7,
    `test-requirements.oldest.txt` beside `.latest.txt`): another lock, or a pip-compile input (`.in`) that
    is not this lock's own."""
    if not lock.lock or lock.path == other.path:
        return False
    if other.lock:
        return True
    return other.path.endswith(".in") and other.path.removesuffix(".in") != lock.path.rsplit(".", 1)[0]


def project_folder(path: str) -> str:
    """Return the project folder a manifest belongs to (a requirements/ folder belongs to its parent)."""
    parts = path.split("/")[:-1]
    if parts and parts[-1].lower() in REQUIREMENTS_FOLDERS:
        parts = parts[:-1]
    return "/".join(parts)


CHECK = RepoCheck(RULE, find)
