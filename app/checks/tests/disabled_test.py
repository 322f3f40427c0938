"""## What it does
Flags tests switched off whatever the platform or version.

That is an unconditional skip marker (`@pytest.mark.skip`, `@unittest.skip`, a `pytestmark` that
skips the module), a module-level `pytest.skip(...)` outside any `if`, `try` or `with`, a
`pytest.skip(...)` or `self.skipTest(...)` that is a statement of a test's own body, and
`pytest.importorskip("pkg")` of a package that no manifest declares, no install command (workflow,
tox, nox, Dockerfile, script) installs, no lock file pins and the repository does not hold: the suite can never have
it, so the tests behind it never run. Skips with a condition (`skipif`, a platform or version check)
are `skipped-test` (TST002), which is low.

## Why is this bad?
The test still exists and the suite stays green, so the loss is invisible: the code it protected is
now unprotected. A test switched off in the same change that modifies its code, or an
`importorskip` of a dependency the change just removed, is how tests quietly stop testing.

## Example
```python
pytest.importorskip("yaml")  # PyYAML is in no manifest: these tests never run


@pytest.mark.skip(reason="flaky")
def test_refund():
    assert refund(order) == 10
```

## Use instead
```python
import yaml  # declared in pyproject.toml's dependencies


def test_refund(frozen_clock):
    assert refund(order) == 10
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.dependencies.declared import declared, lock_pinned
from app.checks.dependencies.import_names import STDLIB, distribution_candidates
from app.checks.facts.python_modules import module_index
from app.checks.tests._tests_data import files_with_tests, test_snippet
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("TST005", "disabled-test", Domain.TESTS, Severity.MEDIUM, __doc__, scoped=True)
ROLES = ("runtime", "optional", "dev")


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report unconditional skips and importorskips of packages the repository never installs."""
    for path, data in files_with_tests(view):
        for marker in data["markers"]:
            if marker["kind"] == "skip" and marker.get("unconditional"):
                target = "the whole module" if marker["target"] == "<module>" else f"`{marker['target']}`"
                message = f"{marker['how']} switches off {target} unconditionally"
                snippet = test_snippet("switched off", marker["target"])  # a mark or a body skip: the same
                yield RepoFinding(path, RawFinding(RULE.code, marker["line"], message, snippet=snippet))
        for guard in data.get("importorskips", []):
            if _never_installed(view, guard["module"]):
                message = (f"pytest.importorskip(\"{guard['module']}\") skips these tests: no manifest declares "
                           "the package and nothing installs it")
                yield RepoFinding(path, RawFinding(RULE.code, guard["line"], message,
                                                   snippet=f"importorskip {guard['module']}"))


def _never_installed(view: RepoView, module: str) -> bool:
    """Return whether a module is third-party, declared nowhere, installed by nothing and pinned by no lock file.

    A lock file too large to read may pin it: then nothing is reported.
    """
    top = module.split(".", 1)[0]
    if not top.isidentifier() or top in STDLIB or module_index(view).exists(top):
        return False
    decl = declared(view)
    if decl.incomplete or decl.declares(module, ROLES):
        return False
    pinned = lock_pinned(view)
    return pinned is not None and not distribution_candidates(module) & pinned


CHECK = RepoCheck(RULE, find)
