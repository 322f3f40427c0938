"""## What it does
Flags a first-party top-level module or package named like a standard-library module.

For example a `logging.py`, `types.py` or `secrets.py` at the repository root or directly under
`src/`, or a `json/` package there.

Only top-level names can shadow: `pkg/json.py` is `pkg.json` under absolute imports and is not
flagged. Test files, type stubs (`.pyi`) and directories without `__init__.py` (namespace
directories lose to the standard library) are not judged, nor the few standard modules that no code
imports (`this`, `antigravity`, `idlelib`, `turtledemo`, `pydoc_data`). The list of standard modules is
the running interpreter's `sys.stdlib_module_names`.

## Why is this bad?
The directory of a script and the project root come first on `sys.path`, so `import logging`, in the
project and in every library it uses, can load the project's file instead of the standard module:
the failures are `AttributeError: module 'logging' has no attribute 'getLogger'` or a circular
import, far from the cause, and they depend on the directory a command is run from. Readers and
tools mistake one module for the other even when the import order happens to work.

## Example
```text
myapp/
  logging.py      # project logging setup
  main.py         # `import logging` here may load ./logging.py
```

## Use instead
```text
myapp/
  log_setup.py
  main.py
```
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("ARC004", "stdlib-shadowing", Domain.ARCHITECTURE, Severity.MEDIUM, __doc__)

NEVER_IMPORTED = frozenset({"this", "antigravity", "idlelib", "turtledemo", "pydoc_data"})
STDLIB = frozenset(sys.stdlib_module_names) - NEVER_IMPORTED
ROOTS = ("", "src/")


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report every top-level first-party module or package named like a standard-library module."""
    # A `src/` that is itself a package is not an import root: its modules are `src.<name>`.
    roots = ("",) if "src/__init__.py" in view.all_paths else ROOTS
    for path, facts in sorted(view.files.items()):
        if facts.kind != "python" or not path.endswith(".py") or view.is_test(path):
            continue
        name = top_level_name(path, roots)
        if name in STDLIB:
            message = (
                f"top-level module `{name}` shadows the standard library's `{name}`: "
                f"`import {name}` can load this file instead"
            )
            yield RepoFinding(path, RawFinding(RULE.code, 0, message, snippet=f"shadows:{name}"))


def top_level_name(path: str, roots: tuple[str, ...] = ROOTS) -> str | None:
    """Return the top-level module name a file defines (`json.py`, `src/json/__init__.py`), or None."""
    for root in roots:
        if not path.startswith(root):
            continue
        rest = path[len(root) :]
        if rest.endswith(".py") and "/" not in rest:
            return rest[: -len(".py")]
        if rest.count("/") == 1 and rest.endswith("/__init__.py"):
            return rest.split("/", 1)[0]
    return None


CHECK = RepoCheck(RULE, find)
