"""## What it does
Flags third-party imports of tests that no dependency list declares.

No list at all (run-time, optional, test or development) declares a distribution providing the
module. Which files are tests is the
policy's `paths.tests`. Tools installed outside the manifests still count as declared when the
repository installs them visibly: `tox.ini` deps, `session.install(...)` in `noxfile.py`, or a
`pip install ...` line in a workflow, Dockerfile, script, Makefile or Markdown file, and so does a
package a lock file of the repository pins (`uv.lock`, `requirements-dev.lock`...: the suite runs
where the lock installs it, as a dependency of a declared one or not). Optional imports
(`TYPE_CHECKING`, `try`/`except ImportError`, `pytest.importorskip`) are not judged, and an import
inside a function (one test, or a fixture module imported on purpose from a temporary path) is
reported as `low`.

One finding names each undeclared module, at the first test file importing it: the fault is the
missing declaration, not the file, so a new test importing what the tests already imported
undeclared (a package installed along with a declared one, like `numpy` with `pandas`) is not new.

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

from collections import defaultdict
from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import ThirdPartyImport, declared, file_role, lock_pinned, third_party_imports
from app.checks.dependencies.undeclared_import import suggested_distribution
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("DEP002", "undeclared-test-import", Domain.DEPENDENCIES, Severity.MEDIUM, __doc__)
ANY_ROLE = ("runtime", "optional", "dev")


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report each third-party module test files import that no dependency list provides, once."""
    by_module: dict[str, list[ThirdPartyImport]] = defaultdict(list)
    for imp in undeclared_test_imports(view):
        by_module[imp.module.split(".", 1)[0]].append(imp)
    for top, imports in by_module.items():
        # A lazy import fails one test, not the file: low, unless some file imports the module at its top.
        eager = [imp for imp in imports if not imp.local]
        first = (eager or imports)[0]
        files = sorted({imp.path for imp in imports})
        more = len(files) - 1
        where = "" if not more else f" ({first.path} and {more} more file{'s' if more > 1 else ''})"
        message = f"tests import `{first.module}`{where} but no dependency list declares " \
                  f"{suggested_distribution(first.module)}"
        parent = declared(view).bringer(first, ANY_ROLE)  # it cannot fail while the parent is installed
        if parent is not None:
            message += f"; {parent}, which is, always installs it"
        snippet = f"undeclared {top}" if eager else f"undeclared {top} (lazy)"
        finding = RawFinding(RULE.code, first.line, message, snippet=snippet,
                             severity=None if eager and parent is None else Severity.LOW, subject=f"test-import:{top}")
        yield RepoFinding(first.path, finding)


def undeclared_test_imports(view: RepoView) -> Iterator[ThirdPartyImport]:
    """Yield the third-party imports of test files that no dependency list provides, in path order."""
    decl = declared(view)
    pinned = lock_pinned(view)
    if not decl.manifests or decl.incomplete or pinned is None:
        return
    for facts in view.python_files():
        if file_role(view, facts.path) == "test":
            yield from (imp for imp in third_party_imports(view, facts.path)
                        if not decl.declares_import(imp, ANY_ROLE) and not imp.candidates() & pinned)


CHECK = RepoCheck(RULE, find)
