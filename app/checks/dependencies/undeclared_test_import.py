"""## What it does
Flags third-party imports of tests that no dependency list declares.

No list at all (run-time, optional, test or development) declares a distribution providing the
module. Which files are tests is the
policy's `paths.tests`. Tools installed outside the manifests still count as declared when the
repository installs them visibly: `tox.ini` deps, `session.install(...)` in `noxfile.py`, or a
`pip install ...` line in a workflow, Dockerfile, script, Makefile or Markdown file. Optional imports
(`TYPE_CHECKING`, `try`/`except ImportError`, `pytest.importorskip`) are not judged, and an import
inside a function (one test, or a fixture module imported on purpose from a temporary path) is
reported as `low`.

Like `undeclared-import`, it needs a manifest, and stays silent when the declarations cannot be read
in full.

## Why is this bad?
A new contributor, or a clean CI runner, cannot run the test suite: collection fails with
`ModuleNotFoundError` before a single test runs, and nobody can tell which version the tests expect.

## Example
```python
# tests/test_api.py; no list declares responses
import responses
```

## Use instead
```toml
[dependency-groups]
test = ["pytest>=8,<9", "responses>=0.25,<1"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import declared, file_role, third_party_imports
from app.checks.dependencies.undeclared_import import suggested_distribution
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP002", "undeclared-test-import", Domain.DEPENDENCIES, Severity.MEDIUM, __doc__)
ANY_ROLE = ("runtime", "optional", "dev")


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report third-party imports of test files that no dependency list provides."""
    decl = declared(view)
    if not decl.manifests or decl.incomplete:
        return
    for facts in view.python_files():
        if file_role(view, facts.path) != "test":
            continue
        for imp in third_party_imports(view, facts.path):
            if decl.declares(imp.module, ANY_ROLE):
                continue
            top = imp.module.split(".", 1)[0]
            wanted = suggested_distribution(imp.module)
            message = f"tests import `{imp.module}` but no dependency list declares {wanted}"
            severity = Severity.LOW if imp.local else None  # a lazy import fails one test, not the file
            finding = RawFinding(RULE.code, imp.line, message, snippet=f"undeclared {top}", severity=severity)
            yield RepoFinding(facts.path, finding)


CHECK = RepoCheck(RULE, find)
