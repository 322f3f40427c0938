"""## What it does
Flags test functions that assert nothing.

Such a test has no `assert`, no `raise`, and no call to anything that checks. Calls that check are
those named `assert*`, `check*`, `verify*`, `expect*` or `fail*` (`self.assertEqual`,
`mock.assert_called_once_with`, `np.testing.assert_allclose`, `pytest.fail`, Playwright's `expect`,
nose's and SQLAlchemy's `eq_`, `is_`, `in_` and `is_true`),
`pytest.raises`, `pytest.warns`, `pytest.deprecated_call`, pytest-benchmark's `benchmark(...)`,
`warnings.simplefilter("error")` and `filterwarnings("error")` (any warning then fails the test),
WebTest's requests with an expected status (`app.get(url, status=404)`), and
calls to a function of the test code that itself asserts (a shared `run_case(...)` helper, a
base-class method, in a test file, a `conftest.py` or a test utility module). A call that a test file
expects to raise elsewhere (inside `pytest.raises` or `assertRaises`) is the other half of that check:
given other input, it does not raise; so is a helper of the file that makes such a call. A production function
that raises does not assert on the test's behalf: it is the code under test, so a test whose only
check is that such a function does not raise is reported too, at low severity (it checks something,
just not the result). So is a test whose name says that is its check (`test_x_without_error`,
`test_y_does_not_raise`, `test_smoke`), and one that makes a mock raise (`m.side_effect = OSError()`)
and checks only that the error is handled. A `raise` in test code
counts because a hand-written `if x != y: raise AssertionError` is an assertion. Skipped and xfail
tests are reported by their own checks instead; a test whose body only imports or reads attributes
checks that they exist; an empty test method in a class with bases overrides an inherited test to
switch it off; and a function named `test*` that returns a value is a helper, not a test.

Which files are tests is the policy's `paths.tests`; test functions are pytest's (`test*` at module
level or in a `Test*` class) and unittest's (`test*` methods of `TestCase` classes), in files named
`test*.py` or `*_test.py` as both runners require.

## Why is this bad?
A test without an assertion passes as long as the code does not crash: it proves that a function
runs, not that it is right. It inflates the test count and the coverage, and gives a false sense of
safety to whoever changes that code next.

## Example
```python
def test_total():
    cart = Cart([Item(price=3), Item(price=4)])
    cart.total()
```

## Use instead
```python
def test_total():
    cart = Cart([Item(price=3), Item(price=4)])
    assert cart.total() == 7
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import RepoCheck, RepoFinding, RepoView, rule
from app.checks.tests._tests_data import (
    asserting_helpers,
    expected_to_raise,
    files_with_tests,
    parent_helpers,
    test_snippet,
)
from app.engine.model import Domain, RawFinding, Severity

RULE = rule("TST001", "test-without-assertion", Domain.TESTS, Severity.MEDIUM, __doc__, scoped=True)


def find(view: RepoView) -> Iterator[RepoFinding]:
    """Report test functions with no assertion, directly or through a helper."""
    helpers: tuple[set[str], set[str]] | None = None
    for path, data in files_with_tests(view):
        parents: set[str] | None = None  # what `super()` may reach from this file, resolved once for it
        for test in data["tests"]:
            if test["assertions"] or test["skip"] or test["xfail"]:
                continue
            if helpers is None:
                helpers = (asserting_helpers(view) | expected_to_raise(view), asserting_helpers(view, False))
            calls = set(test.get("calls", []))
            if calls & helpers[0]:
                continue
            supers = set(test.get("supers", ()))
            if supers:
                parents = parent_helpers(view, path) if parents is None else parents
                if _through_super(test["name"], supers, parents):
                    continue
            name = test["name"]
            message, severity = _verdict(name, sorted(calls & helpers[1]), bool(test.get("injects_error")))
            finding = RawFinding(RULE.code, test["line"], message, snippet=test_snippet("no assertion", name),
                                 severity=severity)
            yield RepoFinding(path, finding)


def _verdict(name: str, raising: list[str], injects_error: bool = False) -> tuple[str, Severity | None]:
    """Return the message and severity override of a test that asserts nothing.

    Only "it does not raise" is checked, by the code under test, as the name says, or of an error the test
    makes a mock raise: weak, yet a test (low).
    """
    if injects_error:
        return (f"test `{name}` asserts nothing; it only checks that the error it makes a mock raise "
                "(`side_effect`) does not escape", Severity.LOW)
    if raising:
        return f"test `{name}` asserts nothing; only that `{raising[0]}` (code under test) does not raise", Severity.LOW
    if _named_as_not_raising(name):
        return f"test `{name}` asserts nothing; its name says it only checks that nothing raises", Severity.LOW
    return f"test `{name}` asserts nothing", None


# Words of a test's name that state its only check: that the code runs without raising.
NOT_RAISING = re.compile(
    r"(?:^|_)(?:without_(?:an?_)?(?:errors?|exceptions?|crash(?:ing)?|fail(?:ure|ing)?|rais(?:e|ing))"
    r"|no_(?:errors?|exceptions?|crash|raise)|(?:does_?not|doesnt|dont|never)_(?:raises?|fails?|crash(?:es)?|errors?)"
    r"|smoke)(?:_|$)"
)


def _named_as_not_raising(name: str) -> bool:
    """Return whether a test's name says it checks that nothing raises (`test_x_without_error`, `test_smoke`)."""
    return NOT_RAISING.search(name.rsplit(".", 1)[-1].lower()) is not None


def _through_super(name: str, supers: set[str], parents: set[str]) -> bool:
    """Return whether a test runs an asserting method of a parent class through `super()`.

    `parents` are the asserting helpers where a base class can come from: the test's own file, a
    test utility module (mixins, conftest), or a test file it imports. Another test file's test of the
    same name is not the parent: matching it by name alone made the verdict flip with unrelated
    changes (diffusers 425b113c21).
    """
    if name.rsplit(".", 1)[-1] in supers:
        return True  # it runs its parent's test of the same name (a mixin's), judged where that one is written
    return bool(supers & parents)


CHECK = RepoCheck(RULE, find)
