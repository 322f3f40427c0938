"""## What it does
Flags run-time dependencies with no upper bound on their version.

Unbounded means no version at all, or only lower bounds and exclusions (`>=2.0`, `>1`, `!=1.3`). A
pin (`==`, `===`), a compatible release (`~=`), a Poetry caret or tilde, or any `<`/`<=` clause is
bounded. Test and development lists, optional extras, `.in` input files for pip-compile, generated
lock files, manifests under `docs/`, `examples/`, `scripts/` and similar folders, and dependencies
from URLs, paths or git are not judged.

## Why is this bad?
The next major release of the dependency is installed the day it is published, with its breaking
changes, by every fresh install and every CI run. The build that passed yesterday fails today with
no change in the repository, and nobody can rebuild last month's release as it was tested.

## Example
```toml
[project]
dependencies = ["requests", "pydantic>=2.0"]
```

## Use instead
```toml
[project]
dependencies = ["requests>=2.31,<3", "pydantic>=2.0,<3"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import declared, in_tooling_dir
from app.checks.dependencies.specifiers import is_bounded
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP004", "unbounded-version-spec", Domain.DEPENDENCIES, Severity.LOW, __doc__)
JUDGED_FORMATS = frozenset({"pyproject", "requirements", "setup.cfg", "setup.py", "pipfile"})


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report run-time dependencies with no upper bound on their version."""
    for dep in declared(view).declarations:
        if dep.role != "runtime" or dep.spec is None or dep.lock or dep.format not in JUDGED_FORMATS:
            continue
        if dep.path.endswith(".in") or in_tooling_dir(dep.path) or is_bounded(dep.spec):
            continue
        why = f"has no upper bound ({dep.spec})" if dep.spec else "has no version constraint"
        message = f"run-time dependency `{dep.name}` {why}"
        yield RepoFinding(dep.path, RawFinding(RULE.code, dep.line, message, snippet=f"{dep.name} {dep.spec}"))


CHECK = RepoCheck(RULE, find)
