"""Extractor `python.tests`: the test functions of a Python file, their assertions and markers.

It runs on every Python file, because only the policy knows which files are tests; repo checks read
it for the files `view.is_test` accepts. Tests are listed only in files named as pytest and unittest
collect them (`test*.py`, `*_test.py`). Data, or None when the file has none of these:

```
{"tests": [{"name": "TestCart.test_total",  # qualified name
            "line": 12, "assertions": 2,     # assertion-like statements and calls, nested code included
            "skip": False, "xfail": False,   # marked (itself, its class or its module), skips in its body,
                                             # or empty in a class with bases (switches an inherited test off)
            "calls": ["run_case"],           # names it calls, kept only when it has no assertion
            "supers": ["test_total"]}],      # ... and the parent's methods it reaches through `super()`
 "markers": [{"kind": "skip" | "xfail", "line": 3, "how": "pytest.mark.skipif",
              "target": "TestCart.test_total" | "TestCart" | "<module>" | "<variable name>",
              "unconditional": False}],  # a `skip` mark, a module-level `pytest.skip()` or one that is a
                                         # statement of a test's own body, under no `if`
 "importorskips": [{"module": "numpy", "line": 4}],  # pytest.importorskip("numpy")
 "helpers": ["check_cart"],  # functions here that assert (tests too): a test calling one asserts through it
 "raised": ["parse"],        # in test files: functions called by name inside `pytest.raises` blocks
 "refs": ["pkg.mod.func"],   # dotted strings given to patch(), import_module() and the like
 "uses": ["httpx.main"],     # in test files and conftests: dotted names read through `import x` bindings
 "loads": ["pkg.mod:App"]}   # import strings (`module:attribute`) a fixture or call loads
```

An import string is a string constant of the `module:attribute` form that uvicorn, gunicorn and entry
points load (`"uvicorn.protocols.websockets.wsproto_impl:WSProtocol"` in a fixture's params), with a
dotted module or given straight to a call (`run("main:app")`), so `"user:admin"` in a list is not one.

Assertion-like: `assert`, `raise`, and calls named `assert*`, `check*`, `verify*`, `expect*`, `fail*`,
`raises`, `warns`, `deprecated_call`, or nose's and SQLAlchemy's `eq_`, `is_`, `in_`, `is_true`... (so
`self.assertEqual`, `mock.assert_called_once`,
`pytest.raises`, `np.testing.assert_allclose`, `pytest.fail`), pytest-benchmark's `benchmark(...)`, and
calls that raise on failure by contract: `subprocess.run(..., check=True)` (and `check_call`,
`check_output`, already `check*`) and `response.raise_for_status()`. A test with none of these that calls
what the same file expects to raise elsewhere (inside `with pytest.raises(...)` or `assertRaises`)
is a "does not raise" test, and counts one assertion; TST001 also accepts a call another test file
expects to raise (`raised`), so a test moved to a file of its own keeps its verdict.
A body of imports and bare attribute reads only counts as one assertion: that they exist is what it checks.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from typing import Any

from app.checks.base import PYTHON, Extractor, FileContext
from app.checks.facts.pynames import dotted, module_aliases, root_name

KEY = "python.tests"
ASSERTING_PREFIXES = ("assert", "check", "verify", "expect", "fail", "raises", "warns", "deprecated_call")
RAISING_CALLS = frozenset({"raise_for_status"})  # raise on failure by contract: the test's assertion
# nose's and SQLAlchemy's assertion helpers (`eq_(a, b)`, `is_(x, None)`), as alembic, mako and
# dogpile import them from a `testing` package: a trailing underscore keeps them off the keywords.
NOSE_STYLE = frozenset({"eq_", "ne_", "ok_", "is_", "is_not_", "isnot_", "in_", "not_in_", "le_", "lt_", "ge_",
                        "gt_", "is_true", "is_false", "is_none", "is_not_none", "is_instance_of",
                        "eq_ignore_whitespace", "eq_regex", "startswith_"})
RAISES_CONTEXTS = frozenset({"raises", "assertRaises", "assertRaisesRegex"})
# WebTest's `app.get(url, status=404)` fails the test on any other status (Pylons/pyramid b4e78bd14f).
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "get_json",
                        "post_json", "put_json", "patch_json", "delete_json"})
# `warnings.simplefilter("error")` makes any warning raise: the test asserts that none is given.
WARNING_FILTERS = frozenset({"simplefilter", "filterwarnings"})
MARK_KINDS = {"skip": "skip", "skipif": "skip", "xfail": "xfail"}
UNITTEST_DECORATORS = {"skip": "skip", "skipIf": "skip", "skipUnless": "skip", "expectedFailure": "xfail"}
BODY_CALLS = {"pytest.skip": "skip", "pytest.xfail": "xfail"}
BODY_CALL_NAMES = frozenset({"skip", "xfail", "skipTest"})  # the last names of the calls above and `self.skipTest`
REF_CALLS = frozenset({"patch", "import_module", "__import__", "importorskip", "setattr", "delattr"})
DOTTED_REF = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
TEST_FILE = re.compile(r"test\w*\.py|\w+_test\.py")  # where pytest and unittest look for tests
MAX_CALLS = 40  # calls kept per assertion-free test: enough to find a helper, and small in the cache
MAX_RAISED = 200  # names called inside `pytest.raises` blocks, per test file
MAX_USES = 500  # dotted names read through imported modules per test file
MAX_USE_DEPTH = 4
MAX_REFS = 200  # patch() targets per file: a missed one would call a tested module untested
IMPORT_STRING = re.compile(r"(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
Function = ast.FunctionDef | ast.AsyncFunctionDef
# The engine runs extractors unguarded: hostile input must yield "nothing known", never an exception.
HOSTILE_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def extract(ctx: FileContext) -> dict[str, Any] | None:
    """Return the tests, markers, asserting helpers and module references of a Python file, if any."""
    try:
        return _tests(ctx)
    except HOSTILE_ERRORS:
        return None


def _tests(ctx: FileContext) -> dict[str, Any] | None:
    """Return the tests, markers, asserting helpers and module references of a Python file."""
    if ctx.tree is None:
        return None
    functions: list[Function] = [*ctx.nodes(ast.FunctionDef), *ctx.nodes(ast.AsyncFunctionDef)]
    collected = TEST_FILE.fullmatch(ctx.name) is not None
    named = [(call, _callee(call)) for call in ctx.nodes(ast.Call)]
    counts, calls, supers = _assertions_and_calls(ctx, named, collected)
    markers = _markers(ctx, named)
    returning = _returning_functions(ctx) if collected else set()
    tests = sorted((f for f in functions if collected and _is_test(ctx, f, returning)), key=lambda f: f.lineno)
    raising, raised_functions = _expected_to_raise(ctx) if tests else (set(), set())
    helpers = _asserting_helpers(functions, counts, calls, raising)
    entries = [_test_entry(ctx, f, counts, (calls, supers), markers, raising) for f in tests]
    refs = _refs(named)
    guards = _importorskips(named)
    # A conftest's fixtures run with the tests: what they use through a module (`loguru._logger.Core()`) is reached.
    uses = _module_uses(ctx) if collected or ctx.name == "conftest.py" else []
    loads = _import_strings(ctx)
    if not (entries or markers or helpers or refs or guards or loads or uses):
        return None
    return {"tests": entries, "markers": markers, "helpers": sorted(helpers), "refs": refs, "importorskips": guards,
            "uses": uses, "loads": loads, "raised": sorted(raised_functions)[:MAX_RAISED]}


# Every call of a file with the last name of what it invokes (see `_callee`), in source order.
NamedCalls = list[tuple[ast.Call, str]]


Called = dict[int, set[str]]  # function node id -> names


def _assertions_and_calls(
    ctx: FileContext, named: NamedCalls, collected: bool,
) -> tuple[dict[int, int], Called, Called]:
    """Count assertion-like nodes and collect called names per enclosing function (by node id).

    Returns the counts, every name called (for helpers within the file), and the names reached
    through `super()` (a parent's method: `super().test_x()`, or `run(super().test_x)`). Called names
    matter only in files with tests or with something that asserts, so the (costlier) walk up from
    every call is skipped in other files.
    """
    counts: dict[int, int] = defaultdict(int)
    calls: Called = defaultdict(set)
    supers: Called = defaultdict(set)
    functions_around = _Enclosing(ctx)
    asserting: list[ast.AST] = [*ctx.nodes(ast.Assert), *ctx.nodes(ast.Raise)]
    asserting += [call for call, name in named if _is_asserting_call(call, name)]
    for node in asserting:
        for outer in functions_around(node):
            counts[id(outer)] += 1
    if collected or counts:
        for call, name in named:
            for outer in functions_around(call) if name else ():
                calls[id(outer)].add(name)
        for ref in ctx.nodes_where(ast.Attribute, _is_super_reference) if "super()" in ctx.text else ():
            for outer in functions_around(ref):
                calls[id(outer)].add(ref.attr)
                supers[id(outer)].add(ref.attr)
    return counts, calls, supers


def _is_super_reference(node: ast.Attribute) -> bool:
    """Return whether an attribute reads a method of the parent class (`super().test_x`)."""
    return isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) and node.value.func.id == "super"


class _Enclosing:
    """The functions around each node, memoised per parent so that a file costs one pass up its tree."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.memo: dict[int, tuple[Function, ...]] = {}

    def __call__(self, node: ast.AST) -> tuple[Function, ...]:
        """Return the functions enclosing a node, innermost first (iteratively: nesting may be hostile)."""
        memo, parent = self.memo, self.ctx.parent  # bound once: this runs for every call of a file
        chain: list[ast.AST] = []
        current = parent(node)
        while current is not None and id(current) not in memo:
            chain.append(current)
            current = parent(current)
        found = memo[id(current)] if current is not None else ()
        for outer in reversed(chain):
            if isinstance(outer, FUNCTIONS):
                found = (outer, *found)
            memo[id(outer)] = found
        return memo[id(chain[0])] if chain else found


def _callee(call: ast.Call) -> str:
    """Return the last name of what a call invokes (`x.y.z()` -> `z`), or an empty string."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_asserting_call(call: ast.Call, name: str) -> bool:
    """Return whether a call checks something: an assertion helper, pytest.raises, a benchmark, a checked run."""
    if name.lstrip("_").lower().startswith(ASSERTING_PREFIXES) or name in RAISING_CALLS or name == "benchmark":
        return True
    if name in NOSE_STYLE:
        return True
    if _checks_its_exit(call) or (name in WARNING_FILTERS and _first_argument(call) == "error"):
        return True
    if name in HTTP_VERBS and any(kw.arg == "status" for kw in call.keywords):
        return True
    func = call.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "benchmark"


def _expected_to_raise(ctx: FileContext) -> tuple[set[str], set[str]]:
    """Return the names a file calls inside `with pytest.raises(...)` (or `assertRaises`) blocks, and the
    functions and classes among them (called by a bare name, not as a method).

    A test that calls one of them with no assertion is the other half of that check: it asserts that,
    given other inputs, the call does not raise. Across files only the bare names count: a method name
    (`save`, `get`) raised on in one file says nothing of the same name's calls in another.
    """
    names: set[str] = set()
    functions: set[str] = set()
    blocks: list[ast.With | ast.AsyncWith] = [*ctx.nodes(ast.With), *ctx.nodes(ast.AsyncWith)]
    for node in blocks:
        if not any(isinstance(i.context_expr, ast.Call) and _callee(i.context_expr) in RAISES_CONTEXTS
                   for i in node.items):
            continue
        for stmt in node.body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Call) and (name := _callee(sub)):
                    names.add(name)
                    if isinstance(sub.func, ast.Name):
                        functions.add(name)
    return names, functions


def _first_argument(call: ast.Call) -> object:
    """Return the value of a call's first argument when it is a literal (`"error"`), else None."""
    first = call.args[0] if call.args else next((kw.value for kw in call.keywords if kw.arg == "action"), None)
    return first.value if isinstance(first, ast.Constant) else None


def _checks_its_exit(call: ast.Call) -> bool:
    """Return whether a call passes `check=True` (subprocess.run's contract: a failed command raises)."""
    for kw in call.keywords:  # a loop, not any(): this runs for every call of every file
        if kw.arg == "check" and isinstance(kw.value, ast.Constant) and kw.value.value is True:
            return True
    return False


def _asserting_helpers(functions: list[Function], counts: dict[int, int], calls: dict[int, set[str]],
                       raising: set[str]) -> set[str]:
    """Return the names of the functions that assert, directly or through each other (tests included).

    A helper that calls what the file expects to raise elsewhere checks that, given its input, it does
    not: django-oauth-toolkit's `_test_wildcard_redirect_uris_valid` calls `application.clean()`,
    which its `_invalid` twin calls inside `pytest.raises(ValidationError)`.
    """
    asserting = {f.name for f in functions if counts.get(id(f), 0) or calls.get(id(f), set()) & raising}
    changed = True
    while changed:
        changed = False
        for func in functions:
            if func.name not in asserting and calls.get(id(func), set()) & asserting:
                asserting.add(func.name)
                changed = True
    return asserting


def _is_test(ctx: FileContext, func: Function, returning: set[int]) -> bool:
    """Return whether a function is collected as a test: `test*` at module level or in a test class.

    A function that returns a value is a helper with a test-like name (a view, a context processor),
    and classes defined inside functions are never collected.
    """
    if not func.name.startswith("test") or id(func) in returning:
        return False
    parent = ctx.parent(func)
    if isinstance(parent, ast.Module):
        return True
    if not isinstance(parent, ast.ClassDef) or not _is_test_class(parent):
        return False
    return not any(isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef)) for a in ctx.ancestors(parent))


def _returning_functions(ctx: FileContext) -> set[int]:
    """Return the ids of the functions whose own body returns something other than None."""
    found: set[int] = set()
    for node in ctx.nodes(ast.Return):
        if node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None):
            continue
        owner = next((a for a in ctx.ancestors(node) if isinstance(a, (*FUNCTIONS, ast.Lambda))), None)
        if owner is not None:
            found.add(id(owner))
    return found


def _is_test_class(node: ast.ClassDef) -> bool:
    """Return whether a class holds tests: pytest's `Test*` or a unittest-style base."""
    if node.name.startswith("Test"):
        return True
    bases = [(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases]
    return any(b.endswith(("TestCase", "Test", "Tests", "TestBase")) for b in bases)


def _qualname(ctx: FileContext, node: ast.AST) -> str:
    """Return the dotted names of a node's enclosing classes and functions, itself included."""
    names = [node.name] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else []
    names.extend(outer.name for outer in ctx.ancestors(node)
                 if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    return ".".join(reversed(names))


def _test_entry(
    ctx: FileContext, func: Function, counts: dict[int, int], called: tuple[Called, Called],
    markers: list[dict[str, Any]], raising: set[str],
) -> dict[str, Any]:
    """Return one test's entry (`called`: every name it calls, and the ones reached through `super()`)."""
    calls, supers = called
    name = _qualname(ctx, func)
    assertions = counts.get(id(func), 0) + _imports_only(func)
    if not assertions and calls.get(id(func), set()) & raising:
        assertions = 1  # a "does not raise" test: the file checks elsewhere that this call raises
    kinds = _marker_kinds(name, func, markers)
    if _disables_inherited(ctx, func):
        kinds.add("skip")
    entry: dict[str, Any] = {
        "name": name, "line": func.lineno, "assertions": assertions, "skip": "skip" in kinds, "xfail": "xfail" in kinds,
    }
    if not assertions:
        through_super = supers.get(id(func), set())
        entry["calls"] = sorted(calls.get(id(func), set()) - through_super)[:MAX_CALLS]
        if through_super:
            entry["supers"] = sorted(through_super)[:MAX_CALLS]
        if _injects_error(func):
            entry["injects_error"] = True
    return entry


# The ends of exception names a test makes a mock raise (`ui.echo.side_effect = UnicodeEncodeError(...)`).
EXCEPTION_ENDINGS = ("Error", "Exception", "Exit", "Interrupt", "Timeout")


def _injects_error(func: Function) -> bool:
    """Return whether a test makes a mock raise (`m.side_effect = OSError(...)`, `Mock(side_effect=KeyError)`).

    A test that does so and asserts nothing checks that the code under test handles the error
    (pdm-project/pdm d14eebc6ae: "print_results handles UnicodeEncodeError gracefully").
    """
    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            values = [node.value] if any(isinstance(t, ast.Attribute) and t.attr == "side_effect"
                                         for t in node.targets) else []
        elif isinstance(node, ast.Call):
            values = [kw.value for kw in node.keywords if kw.arg == "side_effect"]
        else:
            continue
        if any(_names_exception(value) for value in values):
            return True
    return False


def _names_exception(value: ast.expr) -> bool:
    """Return whether an expression is an exception class or instance, by its name (`OSError`, `KeyError("x")`)."""
    name = dotted(value.func if isinstance(value, ast.Call) else value) or ""
    return name.endswith(EXCEPTION_ENDINGS)


def _disables_inherited(ctx: FileContext, func: Function) -> bool:
    """Return whether a test method is empty in a class with bases: an override that switches an inherited test off."""
    parent = ctx.parent(func)
    if not isinstance(parent, ast.ClassDef) or not parent.bases:
        return False
    body = func.body[1:] if _has_docstring(func) else func.body
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) for s in body)


def _has_docstring(func: Function) -> bool:
    """Return whether a function body starts with a string."""
    first = func.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _imports_only(func: Function) -> int:
    """Return 1 when a test body (docstring aside) only imports or reads names: a smoke test that they exist."""
    body = func.body[1:] if _has_docstring(func) else func.body
    return int(bool(body) and all(_is_existence_check(s) for s in body))


def _is_existence_check(stmt: ast.stmt) -> bool:
    """Return whether a statement only imports or reads a name (`requests.packages.urllib3`)."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return True
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Name, ast.Attribute))


def _marker_kinds(name: str, func: Function, markers: list[dict[str, Any]]) -> set[str]:
    """Return the marker kinds that apply to a test: its own, its classes', its module's, or a marker variable's."""
    decorators = {_last_name(d.func if isinstance(d, ast.Call) else d) for d in func.decorator_list}
    kinds: set[str] = set()
    for marker in markers:
        target = marker["target"]
        if target in ("<module>", name) or name.startswith(target + ".") or target in decorators:
            kinds.add(marker["kind"])
    return kinds


def _last_name(node: ast.AST) -> str:
    """Return the last part of a dotted expression (`pytest.mark.slow` -> `slow`), or an empty string."""
    return (dotted(node) or "").rsplit(".", 1)[-1]


def _markers(ctx: FileContext, named: NamedCalls) -> list[dict[str, Any]]:
    """Return every skip and xfail marker of the file, in line order."""
    found: list[tuple[ast.AST, str, str]] = [
        (attr, MARK_KINDS[attr.attr], f"pytest.mark.{attr.attr}")
        for attr in ctx.nodes_where(ast.Attribute, lambda a: a.attr in MARK_KINDS and _is_mark(a.value))]
    pytest_names = _names_from(ctx, "pytest")
    for call, name in named:
        if name in BODY_CALL_NAMES:  # `_body_call` accepts no other call: this spares most calls a dotted name
            found.extend((call, kind, how) for kind, how in _body_call(call, pytest_names))
    for raise_ in ctx.nodes(ast.Raise):
        exc = raise_.exc.func if isinstance(raise_.exc, ast.Call) else raise_.exc
        if exc is not None and (dotted(exc) or "").rsplit(".", 1)[-1] == "SkipTest":
            found.append((raise_, "skip", "SkipTest"))
    found.extend(_unittest_decorators(ctx))
    entries = [
        {"kind": kind, "line": getattr(node, "lineno", 0), "how": how, "target": _target(ctx, node),
         "unconditional": _unconditional(ctx, node, how)}
        for node, kind, how in found
    ]
    return sorted(entries, key=lambda e: (e["line"], e["how"]))


UNCONDITIONAL_MARKS = frozenset({"pytest.mark.skip", "unittest.skip"})
CONDITIONAL_PARENTS = (ast.If, ast.IfExp, ast.Try, ast.With, ast.BoolOp, ast.While, ast.For, ast.Match)


def _unconditional(ctx: FileContext, node: ast.AST, how: str) -> bool:
    """Return whether a skip switches tests off whatever the platform or version.

    That is a `skip` marker (not `skipif`, not in an `if` or conditional expression), a
    `pytest.skip()` at module level outside any `if`, `try` or `with`, or a `pytest.skip()` or
    `self.skipTest()` statement of a test's own body, which is as switched off as a marked one.
    """
    ancestors = list(ctx.ancestors(node))
    if any(isinstance(a, CONDITIONAL_PARENTS) for a in ancestors):
        return False
    if how in UNCONDITIONAL_MARKS:
        return True
    scopes = [a for a in ancestors if isinstance(a, (*FUNCTIONS, ast.ClassDef, ast.Lambda))]
    if how == "pytest.skip()" and not scopes:
        return True
    return how in BODY_SKIPS and _a_statement_of_a_test(ancestors)


BODY_SKIPS = frozenset({"pytest.skip()", "skipTest()"})


def _a_statement_of_a_test(ancestors: list[ast.AST]) -> bool:
    """Return whether a call is a statement of its own in the body of a test function (ancestors innermost first)."""
    return (len(ancestors) >= 2 and isinstance(ancestors[0], ast.Expr) and isinstance(ancestors[1], FUNCTIONS)
            and ancestors[1].name.startswith("test"))


def _module_uses(ctx: FileContext) -> list[str]:
    """Return the dotted names read through `import x` bindings (`httpx.main`), so a test is mapped by name."""
    aliases = module_aliases(ctx)
    if not aliases:
        return []
    found: set[str] = set()
    # Attributes read through a module binding, each chain once (the longest).
    chains = ctx.nodes_where(
        ast.Attribute, lambda a: root_name(a) in aliases and not isinstance(ctx.parent(a), ast.Attribute))
    for attr in chains:
        name = dotted(attr) or ""
        root, _, rest = name.partition(".")
        if root in aliases and rest:
            found.add(".".join([aliases[root], *rest.split(".")[:MAX_USE_DEPTH]]))
    return sorted(found)[:MAX_USES]


def _import_strings(ctx: FileContext) -> list[str]:
    """Return the import strings (`pkg.mod:Attr`) of a file: dotted ones, or any given straight to a call."""
    found: set[str] = set()
    for const in ctx.nodes_where(ast.Constant, lambda c: type(c.value) is str and ":" in c.value):
        text = str(const.value)
        match = IMPORT_STRING.fullmatch(text)
        if match is None:
            continue
        if "." in match["module"] or isinstance(ctx.parent(const), (ast.Call, ast.keyword)):
            found.add(text)
    return sorted(found)[:MAX_REFS]


def _importorskips(named: NamedCalls) -> list[dict[str, Any]]:
    """Return the modules `pytest.importorskip("x")` switches tests off without."""
    found = []
    for call, name in named:
        first = call.args[0] if call.args else None
        if name == "importorskip" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append({"module": first.value, "line": call.lineno})
    return found


def _is_mark(node: ast.AST) -> bool:
    """Return whether an expression is pytest's `mark` namespace (`pytest.mark` or an imported `mark`)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "mark"
    return isinstance(node, ast.Name) and node.id == "mark"


def _names_from(ctx: FileContext, module: str) -> set[str]:
    """Return the names a file imports from one module (`from pytest import skip`)."""
    return {
        alias.asname or alias.name
        for node in ctx.nodes(ast.ImportFrom)
        if node.module == module and not node.level
        for alias in node.names
    }


def _body_call(call: ast.Call, pytest_names: set[str]) -> list[tuple[str, str]]:
    """Return the marker a call makes at run time: pytest.skip(), pytest.xfail(), self.skipTest()."""
    name = dotted(call.func) or ""
    if name in BODY_CALLS:
        return [(BODY_CALLS[name], f"{name}()")]
    if name in ("skip", "xfail") and name in pytest_names:
        return [(name, f"pytest.{name}()")]
    if name.endswith(".skipTest"):
        return [("skip", "skipTest()")]
    return []


def _unittest_decorators(ctx: FileContext) -> list[tuple[ast.AST, str, str]]:
    """Return unittest's skip and expectedFailure decorators on functions and classes."""
    found: list[tuple[ast.AST, str, str]] = []
    defs: list[ast.AST] = [*ctx.nodes(ast.FunctionDef), *ctx.nodes(ast.AsyncFunctionDef), *ctx.nodes(ast.ClassDef)]
    for node in defs:
        for decorator in getattr(node, "decorator_list", []):
            name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
            module, _, last = name.rpartition(".")
            if last in UNITTEST_DECORATORS and module in ("", "unittest"):
                found.append((decorator, UNITTEST_DECORATORS[last], f"unittest.{last}"))
    return found


def _target(ctx: FileContext, node: ast.AST) -> str:
    """Return what a marker applies to: its function or class, `<module>`, or the variable holding it."""
    name = _qualname(ctx, node)
    if name:
        return name
    for outer in ctx.ancestors(node):
        if isinstance(outer, (ast.Assign, ast.AnnAssign)):
            targets = outer.targets if isinstance(outer, ast.Assign) else [outer.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id != "pytestmark":
                return targets[0].id
    return "<module>"


def _refs(named: NamedCalls) -> list[str]:
    """Return the dotted strings passed to patch(), import_module(), importorskip() and monkeypatch.setattr()."""
    found: set[str] = set()
    for call, name in named:
        if name in REF_CALLS and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and DOTTED_REF.fullmatch(first.value):
                found.add(first.value)
    return sorted(found)[:MAX_REFS]


EXTRACTOR = Extractor(KEY, PYTHON, extract)
