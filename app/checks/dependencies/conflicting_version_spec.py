"""## What it does
Flags a distribution declared twice with version specifiers that cannot both hold.

No version can satisfy both: `==1.0` in `requirements.txt` and `>=2` in `pyproject.toml`, `<2` in the run-time
list and `>=2` in the test group, a lock file pin outside the manifest's range. A project is a folder
with its manifests (a `requirements/` folder belongs to its parent), so two projects of a monorepo
may require different versions. Declarations with different environment markers are never compared,
nor are lists the manifest declares never installed together (`[tool.uv] conflicts`, e.g. a
`pydantic-v1` and a `pydantic-v2` group), and specifiers Verity cannot model (local versions, dev
releases, URLs) never conflict.

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

from collections import defaultdict
from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import Declaration, Declared, declared
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
    for group in groups.values():
        ordered = sorted(group, key=lambda d: (d.path, d.line))
        for index, dep in enumerate(ordered):
            other = next((e for e in ordered[:index] if e.spec and dep.spec and conflicts(e.spec, dep.spec)
                          and not _never_together(decl, e, dep)), None)
            if other is None:
                continue
            message = (f"`{dep.name}{dep.spec}` ({dep.list}) cannot hold together with "
                       f"`{other.name}{other.spec}` ({other.path}:{other.line})")
            snippet = f"{dep.name} {' vs '.join(sorted((str(dep.spec), str(other.spec))))}"
            yield RepoFinding(dep.path, RawFinding(RULE.code, dep.line, message, snippet=snippet))


def _never_together(decl: Declared, first: Declaration, second: Declaration) -> bool:
    """Return whether two declarations sit in lists their manifest says are never installed together."""
    return first.path == second.path and decl.exclusive_lists(first.path, first.list, second.list)


def project_folder(path: str) -> str:
    """Return the project folder a manifest belongs to (a requirements/ folder belongs to its parent)."""
    parts = path.split("/")[:-1]
    if parts and parts[-1].lower() in REQUIREMENTS_FOLDERS:
        parts = parts[:-1]
    return "/".join(parts)


CHECK = RepoCheck(RULE, find)
