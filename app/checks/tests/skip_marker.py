"""## What it does
Flags tests switched off by a skip marker or a run-time skip.

Skips are `@pytest.mark.skip`, `@pytest.mark.skipif`, a `pytestmark`
that skips a module or class, `pytest.skip(...)` or `self.skipTest(...)` in a body, `raise SkipTest`,
and unittest's `@skipIf` and `@skipUnless`. One finding per marker, on the marker's line,
in the files the policy calls tests. Unconditional skips (`@pytest.mark.skip`, `@unittest.skip`, a
module-level `pytest.skip()`) are `disabled-test` (TST005) instead. `pytest.importorskip` of a
package the repository declares is not reported: it guards an optional dependency.

## Why is this bad?
A skipped test protects nothing, yet still counts as a test in the suite's size. Skips are added
"for now" to get a change merged and stay for years; conditional skips can silently skip everywhere
the suite actually runs. Each one deserves a reason and an owner, and a reviewer's attention when
it is added.

## Example
```python
@pytest.mark.skip(reason="flaky")
def test_refund():
    assert refund(order) == 10
```

## Use instead
```python
def test_refund(frozen_clock):
    assert refund(order) == 10
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.tests._tests_data import files_with_tests, test_snippet
from app.engine.model import Domain, RawFinding, Rule, Severity

RULE = rule("TST002", "skipped-test", Domain.TESTS, Severity.LOW, __doc__, scoped=True)


def markers(view: RepoView, kind: str, check: Rule) -> Iterator[RepoFinding]:
    """Report every marker of one kind (skip or xfail) in the test files."""
    for path, data in files_with_tests(view):
        for marker in data["markers"]:
            if marker["kind"] != kind or (kind == "skip" and marker.get("unconditional")):
                continue  # an unconditional skip is `disabled-test` (TST005), medium
            target = "the whole module" if marker["target"] == "<module>" else f"`{marker['target']}`"
            message = f"{marker['how']} {'skips' if kind == 'skip' else 'expects failure of'} {target}"
            snippet = test_snippet(marker["how"], marker["target"])
            yield RepoFinding(path, RawFinding(check.code, marker["line"], message, snippet=snippet))


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report skip markers and run-time skips in test files."""
    return markers(view, "skip", RULE)


CHECK = RepoCheck(RULE, find)
