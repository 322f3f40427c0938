"""## What it does
Flags, once per repository, third-party imports in a repository that declares no dependencies.

Declaring nothing means no `pyproject.toml` with a `[project]` or Poetry table, no requirements file,
no `setup.py` or `setup.cfg`, no `Pipfile`, no conda `environment.yml`. With nothing declared there
is nothing to compare imports against, so `undeclared-import` stays silent and this check speaks for
the whole repository instead of once per import. The finding sits on the first shipped module (in
path order) that imports a third-party module; it is `low` because that location is only a
representative, and moves when files are added.

## Why is this bad?
Nobody can install the project without reading its source: which packages, which versions, for
run time or for tests. Every environment is rebuilt by trial and error, and two of them never match.

## Example
```python
# app/main.py, in a repository with no manifest
import requests
```

## Use instead
```toml
# pyproject.toml
[project]
name = "app"
version = "1.0.0"
dependencies = ["requests>=2.31,<3"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import declared, file_role, third_party_imports
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP006", "missing-dependency-manifest", Domain.DEPENDENCIES, Severity.LOW, __doc__)
SHOWN = 5  # module names quoted in the message


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report a repository whose shipped code imports third-party modules but that declares nothing."""
    if declared(view).manifests:
        return
    first: tuple[str, int] | None = None
    tops: set[str] = set()
    for facts in view.python_files():
        if file_role(view, facts.path) != "runtime":
            continue
        for imp in third_party_imports(view, facts.path):
            tops.add(imp.module.split(".", 1)[0])
            first = first or (facts.path, imp.line)
    if first is None:
        return
    names = ", ".join(sorted(tops)[:SHOWN]) + (", ..." if len(tops) > SHOWN else "")
    message = f"the code imports {len(tops)} third-party module(s) ({names}), but nothing declares dependencies"
    yield RepoFinding(first[0], RawFinding(RULE.code, first[1], message, snippet="missing-dependency-manifest"))


CHECK = RepoCheck(RULE, find)
