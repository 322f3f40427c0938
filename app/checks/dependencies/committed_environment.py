"""## What it does
Flags, once per repository, a Python environment committed to it: a folder holding a `pyvenv.cfg`,
or installed packages under `lib/pythonX.Y/site-packages` (`Lib/site-packages` on Windows) or
`dist-packages`. The finding sits on the environment's marker file and names every environment.

Verity never judges the files of such an environment (they are not the project's code); this one
finding is all it says about them.

## Why is this bad?
An environment is built for one machine: its scripts hold absolute paths and its compiled
extensions one platform's binaries. Committed, it swells every clone, hides which packages the
project really needs behind thousands of files nobody reviews, and goes stale the moment a
dependency is upgraded on a developer's machine but not in the repository.

## Example
```text
venv/pyvenv.cfg
venv/Lib/site-packages/requests/__init__.py
app/main.py
```

## Use instead
```text
# .gitignore
venv/
.venv/
```
Declare the dependencies in `pyproject.toml` or a requirements file, and let each machine build
its own environment from them.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP007", "committed-environment", Domain.DEPENDENCIES, Severity.LOW, __doc__)
SHOWN = 3  # environments named in the message


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report the committed Python environments once, on the first one's marker file."""
    if not view.environments:
        return
    envs = sorted(view.environments, key=lambda e: e.root)
    names = ", ".join(f"{e.root or '.'}/ ({e.files} files)" for e in envs[:SHOWN])
    more = f" and {len(envs) - SHOWN} more" if len(envs) > SHOWN else ""
    message = f"a Python environment is committed: {names}{more}"
    yield RepoFinding(envs[0].marker, RawFinding(RULE.code, 0, message, snippet="committed-environment"))


CHECK = RepoCheck(RULE, find)
