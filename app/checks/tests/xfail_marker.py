"""## What it does
Flags tests marked as expected to fail.

Markers are `@pytest.mark.xfail` (on a test, a class, a module's
`pytestmark` or a `pytest.param`), `pytest.xfail(...)` in a body, and unittest's
`@expectedFailure`. One finding per marker, on the marker's line, in the files the policy calls
tests.

## Why is this bad?
An xfail test records a known bug instead of fixing it. Unless the project runs pytest with
`xfail_strict`, the test keeps "passing" when the bug is fixed and when the code breaks in a new way,
so it protects nothing. Adding one should be a visible, deliberate decision.

## Example
```python
@pytest.mark.xfail(reason="rounding bug")
def test_vat():
    assert vat(10.05) == 2.01
```

## Use instead
```python
def test_vat():
    assert vat(Decimal("10.05")) == Decimal("2.01")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.tests.skip_marker import markers
from app.engine.model import Domain, Severity

RULE = rule("TST003", "xfail-test", Domain.TESTS, Severity.LOW, __doc__, scoped=True)


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report xfail markers and run-time xfails in test files."""
    return markers(view, "xfail", RULE)


CHECK = RepoCheck(RULE, find)
