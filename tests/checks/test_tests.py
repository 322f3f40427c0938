"""Tests domain: TST001-TST004, the `python.imports` and `python.tests` extractors and the module-coverage metric."""

from __future__ import annotations

import textwrap

from app.checks.base import MetricUnit
from app.checks.facts import python_imports, python_tests
from app.checks.facts.python_modules import ModuleIndex
from app.checks.tests import (
    disabled_test,
    missing_test_import,
    module_coverage,
    no_assertion,
    skip_marker,
    xfail_marker,
)
from app.engine.facts import analyse_text
from app.engine.model import RawFinding, Severity
from config.policy import Policy, parse_policy
from tests.helpers import metric_units, repo_findings

METRIC = module_coverage.NAME


def dedented(files: dict[str, str]) -> dict[str, str]:
    """Return the files with their common indentation removed."""
    return {path: textwrap.dedent(text) for path, text in files.items()}


def found(files: dict[str, str], code: str, policy: Policy | None = None) -> list[tuple[str, int]]:
    """Return (path, line) of one repo check's findings."""
    return [(path, f.line) for path, f in repo_findings(dedented(files), code, policy)]


def findings(files: dict[str, str], code: str) -> list[tuple[str, RawFinding]]:
    """Return one repo check's findings."""
    return repo_findings(dedented(files), code)


def coverage(files: dict[str, str], policy: Policy | None = None) -> dict[str, bool]:
    """Return the metric's verdict per source module."""
    units: list[MetricUnit] = metric_units(dedented(files), METRIC, policy)
    assert all(u.label == "tested" for u in units)
    return {u.path: u.good for u in units}


# --- python.imports --------------------------------------------------------------------------------

IMPORTS = """\
import os, app.models
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from numpy import ndarray
try:
    import ujson as json
except ImportError:
    import json
from . import sibling
from ..pkg.mod import thing


def load():
    import requests
"""


def test_imports_extractor_records_module_names_lines_and_flags() -> None:
    data = analyse_text("pkg/sub/a.py", IMPORTS).data[python_imports.KEY]
    compact = [(e["module"], e["names"], e["level"], e["line"], e["type_checking"], e["optional"], e["local"])
               for e in data]
    assert compact == [
        ("app.models", [], 0, 1, False, False, False),
        ("os", [], 0, 1, False, False, False),
        ("typing", ["TYPE_CHECKING"], 0, 2, False, False, False),
        ("numpy", ["ndarray"], 0, 4, True, False, False),
        ("ujson", [], 0, 6, False, True, False),
        ("json", [], 0, 8, False, True, False),
        ("", ["sibling"], 1, 9, False, False, False),
        ("pkg.mod", ["thing"], 2, 10, False, False, False),
        ("requests", [], 0, 14, False, False, True),
    ]


def test_imports_extractor_ignores_try_without_import_handler_and_reads_suppress_and_else() -> None:
    text = textwrap.dedent("""\
        try:
            import a
        except KeyError:
            pass
        with suppress(ModuleNotFoundError):
            import b
        try:
            import c
        except ImportError:
            pass
        else:
            import d
        finally:
            import e
        """)
    data = analyse_text("m.py", text).data[python_imports.KEY]
    assert [(e["module"], e["optional"]) for e in data] == [
        ("a", False), ("b", True), ("c", True), ("d", True), ("e", False),
    ]


def test_relative_imports_resolve_from_the_importing_path() -> None:
    entry = {"module": "mod", "names": ["x"], "level": 2}
    assert python_imports.absolute_module("src/pkg/sub/a.py", entry) == "src.pkg.mod"
    assert python_imports.imported_modules("src/pkg/sub/a.py", entry) == ["src.pkg.mod", "src.pkg.mod.x"]
    assert python_imports.absolute_module("a.py", {"module": "", "names": ["x"], "level": 2}) is None
    assert python_imports.imported_modules("a.py", {"module": "b", "names": ["*"], "level": 0}) == ["b"]


def test_unparsable_or_hostile_file_has_no_imports_and_no_tests() -> None:
    facts = analyse_text("tests/test_broken.py", "def test_x(:\n")
    assert facts.data[python_imports.KEY] == []
    assert facts.data[python_tests.KEY] is None
    deep = analyse_text("tests/test_deep.py", "def test_x():\n    assert " + "-" * 900 + "1\n")
    assert deep.data[python_tests.KEY]["tests"][0]["assertions"] == 1


# --- module index ------------------------------------------------------------------------------------


def test_module_index_names_src_layouts_packages_and_plain_folders() -> None:
    index = ModuleIndex.build([
        "src/shop/__init__.py", "src/shop/cart.py", "backend/app/__init__.py", "backend/app/models.py",
        "tests/helpers.py", "native/fast.cpython-311-x86_64-linux-gnu.so", "README.md",
    ])
    assert index.resolve("shop.cart") == {"src/shop/cart.py"}
    assert index.resolve("src.shop.cart") == {"src/shop/cart.py"}
    assert index.resolve("app.models") == {"backend/app/models.py"}
    assert index.resolve("helpers") == {"tests/helpers.py"}
    assert index.resolve("fast") == {"native/fast.cpython-311-x86_64-linux-gnu.so"}
    assert index.resolve("models") == set()  # a bare name is only matched exactly
    assert index.exists("backend.app") and index.exists("shop") and not index.exists("shop.gone")
    assert index.top_packages == {"shop", "app"}


# --- python.tests ------------------------------------------------------------------------------------


def test_tests_extractor_lists_tests_with_assertions_markers_and_helpers() -> None:
    text = textwrap.dedent("""\
        import pytest

        def check_total(cart):
            assert cart.total() > 0

        def test_one():
            assert 1

        class TestCart:
            @pytest.mark.xfail
            def test_two(self):
                check_total(None)

            def helper(self):
                pass

        def not_a_test():
            pass
        """)
    data = analyse_text("tests/test_cart.py", text).data[python_tests.KEY]
    assert data["tests"] == [
        {"name": "test_one", "line": 6, "assertions": 1, "skip": False, "xfail": False},
        {"name": "TestCart.test_two", "line": 11, "assertions": 1, "skip": False, "xfail": True},
    ]
    assert data["markers"] == [{"kind": "xfail", "line": 10, "how": "pytest.mark.xfail", "target": "TestCart.test_two",
                                "unconditional": False}]
    assert data["helpers"] == ["check_total", "test_one", "test_two"]


# --- TST001 test-without-assertion ----------------------------------------------------------------


def test_tst001_flags_tests_that_assert_nothing() -> None:
    files = {
        "tests/test_cart.py": """\
            from app.cart import Cart

            def test_total():
                cart = Cart()
                cart.total()

            class TestCart:
                def test_empty(self):
                    Cart()

            def test_placeholder():
                pass
            """,
    }
    assert found(files, no_assertion.RULE.code) == [("tests/test_cart.py", 3), ("tests/test_cart.py", 8), ("tests/test_cart.py", 11)]
    messages = [f.message for _, f in findings(files, no_assertion.RULE.code)]
    assert messages[0] == "test `test_total` asserts nothing"


def test_tst001_takes_warnings_turned_into_errors_for_an_assertion() -> None:
    # aws/chalice e9278201fc: `pytest.warns(None)` became `warnings.simplefilter("error")`.
    files = {
        "tests/test_validate.py": """\
            import warnings

            def test_version_is_valid(config):
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    validate(config)

            def test_filtered(config):
                with warnings.catch_warnings():
                    warnings.filterwarnings(action="error", category=UserWarning)
                    validate(config)

            def test_ignored(config):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    validate(config)
            """,
    }
    assert found(files, no_assertion.RULE.code) == [("tests/test_validate.py", 13)]

def test_tst001_takes_an_expected_status_and_a_does_not_raise_helper_for_assertions() -> None:
    # Pylons/pyramid b4e78bd14f: WebTest's `status=404` fails the test on any other status.
    # jazzband/django-oauth-toolkit 13f0aceb01: the `_valid` helper's `clean()` raises in its `_invalid` twin.
    files = {
        "tests/test_static.py": """\
            def test_nulbyte(testapp):
                testapp.get("/..\\x00/", status=404)

            def test_fetch(testapp):
                testapp.get("/static/a.css")
            """,
        "tests/test_models.py": """\
            import pytest

            def _valid(application, uris):
                application.redirect_uris = uris
                application.clean()

            def _invalid(application, uris):
                application.redirect_uris = uris
                with pytest.raises(ValueError):
                    application.clean()

            def _configure(application, uris):
                application.redirect_uris = uris

            def test_valid(application):
                _valid(application, "https://*.example.com")

            def test_invalid(application):
                _invalid(application, "https://*")

            def test_configure(application):
                _configure(application, "https://a")
            """,
    }
    assert found(files, no_assertion.RULE.code) == [("tests/test_models.py", 21), ("tests/test_static.py", 4)]

def test_tst001_is_low_for_a_test_named_as_checking_that_nothing_raises() -> None:
    # getmoto/moto 0bcc551e0a: `test_enable_disable_alarm_actions_without_error` calls the API and stops.
    files = {
        "tests/test_alarms.py": """\
            def test_enable_disable_alarm_actions_without_error(client):
                client.disable_alarm_actions(AlarmNames=["not-exists"])


            def test_import_smoke():
                client = make_client()


            def test_total(cart):
                cart.total()
            """,
    }
    graded = [(f.line, f.severity) for _, f in findings(files, no_assertion.RULE.code)]
    assert graded == [(1, Severity.LOW), (5, Severity.LOW), (9, None)]


def test_tst001_is_low_for_a_test_that_makes_a_mock_raise_and_asserts_nothing() -> None:
    # pdm-project/pdm d14eebc6ae: "print_results handles UnicodeEncodeError gracefully".
    files = {
        "tests/test_search.py": """\
            def test_unicode_error(mocker):
                ui = mocker.Mock()
                ui.echo.side_effect = UnicodeEncodeError("utf-8", "", 0, 1, "x")
                print_results(ui, [])

            def test_timeout(mocker):
                client = mocker.Mock(get=mocker.Mock(side_effect=httpx.ConnectTimeout))
                fetch(client)

            def test_values(mocker):
                ui = mocker.Mock()
                ui.echo.side_effect = ["a", "b"]
                print_results(ui, [])
            """,
    }
    graded = [(f.line, f.severity) for _, f in findings(files, no_assertion.RULE.code)]
    assert graded == [(1, Severity.LOW), (6, Severity.LOW), (10, None)]

def test_tst001_accepts_every_kind_of_assertion() -> None:
    files = {
        "tests/helpers.py": "def run_case(x):\n    assert x\n",
        "tests/test_ok.py": """\
            import unittest
            import pytest
            from tests.helpers import run_case

            def test_assert():
                assert 1 + 1 == 2

            def test_raises():
                with pytest.raises(ValueError):
                    int("x")

            def test_mock(mocker):
                m = mocker.Mock()
                m()
                m.assert_called_once_with()

            def test_named_helpers(page):
                expect(page).to_have_title("x")
                verify_output("y")
                check_invariants()

            def test_shared_helper():
                run_case(3)

            def test_raise():
                if 1 != 1:
                    raise AssertionError("math")

            def test_fail():
                pytest.fail("not yet")

            def test_nose_style():
                eq_(sorted([2, 1]), [1, 2])
                is_true(1)

            def test_skipped_at_run_time():
                pytest.skip("no network")

            def test_importable():
                import json

            def test_speed(benchmark):
                benchmark(sorted, [3, 1])

            @pytest.mark.xfail(raises=ValueError)
            def test_expected_failure():
                int("x")

            class TestCase(unittest.TestCase):
                def test_equal(self):
                    self.assertEqual(1, 1)

                def test_through_method(self):
                    self._compare(1)

                def _compare(self, x):
                    self.assertTrue(x)

            class TestNondeterministic(TestCase):
                def test_through_a_wrapper(self):
                    run_relaxed(super().test_equal)
            """,
    }
    assert found(files, no_assertion.RULE.code) == []


def test_tst001_skips_what_is_not_a_test_or_only_checks_existence() -> None:
    files = {
        "tests/helpers.py": "def test_data():\n    pass\n",  # pytest collects no tests from this file name
        "tests/test_misc.py": """\
            import unittest
            import requests

            def test_view(request):
                return {"user": None}

            def test_attribute_exists():
                requests.packages.urllib3

            class Base:
                def test_save(self):
                    assert save()

            class TestCookie(Base):
                def test_save(self):
                    \"\"\"Cookies are never saved: the inherited test does not apply.\"\"\"
                    pass

                def test_again(self):
                    self.test_save()

            class TestRunner(unittest.TestCase):
                def test_dynamic_suite(self):
                    class Inner(unittest.TestCase):
                        def test_nothing(self):
                            pass
                    self.assertTrue(Inner)
            """,
    }
    assert found(files, no_assertion.RULE.code) == []


def test_tst001_accepts_a_call_another_test_file_expects_to_raise() -> None:
    # pydantic 69fd688e2d split tests/test_types.py: a "does not raise" test moved away from its other half.
    raising = "import pytest\nfrom shop import parse\n\n\ndef test_bad():\n    with pytest.raises(ValueError):\n" \
              "        parse('x')\n"
    quiet = "from shop import parse, total\n\n\ndef test_good():\n    parse('1')\n\n\ndef test_total():\n    total()\n"
    files = {"tests/test_errors.py": raising, "tests/test_parse.py": quiet}
    assert found(files, no_assertion.RULE.code) == [("tests/test_parse.py", 8)]
    assert found({"tests/test_parse.py": quiet}, no_assertion.RULE.code) == [("tests/test_parse.py", 4),
                                                                           ("tests/test_parse.py", 8)]
    # A method raised on in one file says nothing of another file's calls of the same name.
    methods = {"tests/test_errors.py": raising.replace("parse('x')", "cart.save()"),
               "tests/test_parse.py": "def test_save(cart):\n    cart.save()\n"}
    assert found(methods, no_assertion.RULE.code) == [("tests/test_parse.py", 1)]
    # Production code that raises is the code under test, not the other half of a check.
    files = {"shop/check.py": "def run():\n    with raises(ValueError):\n        parse('x')\n", "tests/test_parse.py": quiet}
    assert ("tests/test_parse.py", 4) in found(files, no_assertion.RULE.code)


def test_tst001_finds_the_parent_of_a_super_call_where_a_base_class_can_come_from() -> None:
    # diffusers 425b113c21: `run(super().test_training)` ran the mixin's `test_training`, which asserts
    # nothing; another model's test of that name, which asserts, is no parent of it.
    mixin = "class TrainingMixin:\n    def test_training(self):\n        self.model.train()\n\n" \
            "    def test_loss(self):\n        assert self.model.loss() < 1\n"
    child = "from tests.utils.training import TrainingMixin\n\n\nclass TestKL(TrainingMixin):\n" \
            "    def test_training(self):\n        run_relaxed(super().test_training)\n\n" \
            "    def test_loss(self):\n        run_relaxed(super().test_loss)\n"
    other = "def test_training():\n    assert train() == 1\n"
    child = child.replace("run_relaxed(super().test_training)", "run_relaxed(super().test_loss)")
    files = {"tests/utils/training.py": mixin, "tests/test_kl.py": child, "tests/test_unet.py": other}
    assert found(files, no_assertion.RULE.code) == []
    renamed = child.replace("super().test_loss", "super().test_training").replace("def test_loss", "def test_lossy")
    files = {"tests/utils/training.py": mixin, "tests/test_kl.py": renamed, "tests/test_unet.py": other}
    assert found(files, no_assertion.RULE.code) == [("tests/test_kl.py", 8)]  # `test_lossy` runs a silent one
    # Running the parent's test of the same name (diffusers d5baa4fb54) is that test, judged where it is written.
    same = "from tests.utils.training import TrainingMixin\n\n\nclass TestKL(TrainingMixin):\n" \
           "    def test_training(self):\n        run_relaxed(super().test_training)\n"
    assert found({"tests/utils/training.py": mixin, "tests/test_kl.py": same}, no_assertion.RULE.code) == []
    # A parent defined in a test file the test imports counts.
    base = "class BaseTests:\n    def test_training(self):\n        assert 1\n\n    def test_loss(self):\n        assert 2\n"
    files = {"tests/test_base.py": base, "tests/test_kl.py": child.replace(
        "from tests.utils.training import TrainingMixin", "from tests.test_base import BaseTests as TrainingMixin")}
    assert found(files, no_assertion.RULE.code) == []

def test_tst001_only_judges_files_the_policy_calls_tests() -> None:
    files = {"app/test_data.py": "def test_x():\n    pass\n", "qa/test_y.py": "def test_y():\n    pass\n"}
    assert found(files, no_assertion.RULE.code) == [("app/test_data.py", 1), ("qa/test_y.py", 1)]
    policy = parse_policy('[paths]\ntests = ["qa/**"]\n')
    assert found(files, no_assertion.RULE.code, policy) == [("qa/test_y.py", 1)]


# --- TST002 skipped-test / TST003 xfail-test ----------------------------------------------------------

MARKED = """\
import unittest
import pytest

pytestmark = pytest.mark.skipif(True, reason="windows only")

@pytest.mark.skip(reason="flaky")
def test_a():
    assert 1

def test_b():
    pytest.skip("later")

@pytest.mark.xfail(reason="bug 12")
def test_c():
    assert 0

def test_d():
    pytest.xfail("bug 13")

@pytest.mark.parametrize("x", [1, pytest.param(2, marks=pytest.mark.xfail)])
def test_e(x):
    assert x

class TestOld(unittest.TestCase):
    @unittest.skipIf(True, "old")
    def test_f(self):
        self.skipTest("never")

    @unittest.expectedFailure
    def test_g(self):
        self.assertEqual(1, 2)
"""


def test_tst002_flags_each_skip_marker_on_its_line() -> None:
    # Line 6's `@pytest.mark.skip`, and the `pytest.skip()` and `self.skipTest()` statements of lines 11 and
    # 27 (a test's own body), switch tests off whatever happens: TST005 (medium), not TST002.
    assert found({"tests/test_marked.py": MARKED}, skip_marker.RULE.code) == [
        ("tests/test_marked.py", 4), ("tests/test_marked.py", 25),
    ]
    messages = [f.message for _, f in findings({"tests/test_marked.py": MARKED}, skip_marker.RULE.code)]
    assert messages == ["pytest.mark.skipif skips the whole module", "unittest.skipIf skips `TestOld.test_f`"]
    assert found({"tests/test_marked.py": MARKED}, disabled_test.RULE.code) == [
        ("tests/test_marked.py", 6), ("tests/test_marked.py", 11), ("tests/test_marked.py", 27),
    ]
    # Under a condition, or in a helper that is not a test, a body skip is a skip like any other.
    conditional = "import pytest\n\n\ndef test_b():\n    if True:\n        pytest.skip('no gpu')\n\n\n" \
                  "def needs_gpu():\n    pytest.skip('no gpu')\n"
    assert found({"tests/test_c.py": conditional}, disabled_test.RULE.code) == []
    assert found({"tests/test_c.py": conditional}, skip_marker.RULE.code) == [("tests/test_c.py", 6),
                                                                              ("tests/test_c.py", 10)]


def test_tst003_flags_each_xfail_marker_on_its_line() -> None:
    assert found({"tests/test_marked.py": MARKED}, xfail_marker.RULE.code) == [
        ("tests/test_marked.py", 13), ("tests/test_marked.py", 18), ("tests/test_marked.py", 20),
        ("tests/test_marked.py", 29),
    ]


def test_markers_in_clean_tests_and_in_source_files_are_not_reported() -> None:
    files = {
        "tests/test_clean.py": """\
            import pytest
            np = pytest.importorskip("numpy")

            @pytest.mark.slow
            def test_a():
                assert np
            """,
        "app/plugin.py": "import pytest\n\ndef skip_all():\n    pytest.skip('x')\n",
    }
    assert found(files, skip_marker.RULE.code) == []
    assert found(files, xfail_marker.RULE.code) == []


def test_skipped_and_xfail_tests_are_not_also_reported_as_assertion_free() -> None:
    assert found({"tests/test_marked.py": MARKED}, no_assertion.RULE.code) == []


# --- TST004 test-imports-missing-module ------------------------------------------------------------


def test_tst004_flags_imports_of_missing_first_party_modules() -> None:
    files = {
        "app/__init__.py": "",
        "app/billing/__init__.py": "",
        "app/billing/invoices.py": "def total(): ...\n",
        "tests/__init__.py": "",
        "tests/test_invoice.py": """\
            import os
            import requests.adapters
            from app.billing.invoice import total
            import app.shipping
            from .helpers import make
            """,
    }
    assert found(files, missing_test_import.RULE.code) == [
        ("tests/test_invoice.py", 3), ("tests/test_invoice.py", 4), ("tests/test_invoice.py", 5),
    ]
    messages = [f.message for _, f in findings(files, missing_test_import.RULE.code)]
    assert messages[0] == "`app.billing.invoice` does not exist in this snapshot, so this test file cannot be imported"


def test_tst004_accepts_modules_found_under_any_root() -> None:
    files = {
        "src/shop/__init__.py": "",
        "src/shop/cart.py": "",
        "services/api/app/__init__.py": "",
        "services/api/app/routes/users.py": "",
        "pkg/__init__.py": "",
        "pkg/_speedups.pyx": "",
        "tests/__init__.py": "",
        "tests/helpers.py": "",
        "tests/test_ok.py": """\
            from shop.cart import Cart
            import shop
            from app.routes.users import router
            from pkg import _speedups
            import pkg._speedups
            from pkg._version import version
            from .helpers import make
            from . import helpers
            try:
                import shop.optional_extra
            except ImportError:
                pass
            """,
    }
    assert found(files, missing_test_import.RULE.code) == []


def test_tst004_judges_the_project_itself_but_not_a_declared_namesake() -> None:
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["google-cloud-storage>=2,<3"]\n',
        "Dockerfile": "FROM python:3.12\nRUN pip install app\n",
        "app/__init__.py": "",
        "google/__init__.py": "",
        "google/ours.py": "",
        "tests/test_x.py": "import app.gone\nimport google.cloud.storage\n",
    }
    assert found(files, missing_test_import.RULE.code) == [("tests/test_x.py", 1)]


def test_tst004_ignores_non_test_files() -> None:
    files = {"app/__init__.py": "", "app/main.py": "import app.gone\n"}
    assert found(files, missing_test_import.RULE.code) == []


# --- metric test-coverage-of-modules --------------------------------------------------------------

BODY = "def f():\n    a = 1\n    b = 2\n    c = 3\n    return a + b + c\n"


def test_metric_counts_modules_of_a_package_a_test_is_named_after() -> None:
    files = {
        "app/checks/security/secret.py": BODY,
        "app/checks/security/cors.py": BODY,
        "app/checks/quality/links.py": BODY,
        "tests/checks/test_security.py": "def test_x():\n    assert True\n",
    }
    assert coverage(files) == {
        "app/checks/security/secret.py": True,
        "app/checks/security/cors.py": True,
        "app/checks/quality/links.py": False,
    }


def test_metric_counts_modules_a_test_case_is_named_after_where_the_test_imports_their_package() -> None:
    # httpx 5b5f6d8e17 merged test_urlparse.py into test_url.py: `test_urlparse_*` cases through `import httpx`.
    files = {
        "httpx/__init__.py": "from ._urls import URL\n",
        "httpx/_urls.py": "from ._urlparse import urlparse\n\n\nclass URL:\n    a = 1\n    b = 2\n    c = 3\n",
        "httpx/_urlparse.py": BODY,
        "httpx/_content.py": BODY,
        "httpx/_multipart.py": BODY,
        "other/urlparse.py": BODY,
        "tests/models/test_url.py": "import httpx\n\n\ndef test_urlparse_with_invalid_component():\n"
                                    "    assert httpx.URL('x')\n",
        "tests/test_misc.py": "import other_lib\n\n\ndef test_content_is_bytes():\n    assert other_lib.x\n",
        "tests/test_forms.py": "from httpx._urls import URL\n\n\nclass TestMultiPart:\n"
                               "    def test_x(self):\n        assert URL\n",
    }
    assert coverage(files) == {
        "httpx/_urls.py": True,  # imported: `httpx.URL`
        "httpx/_urlparse.py": True,  # test_urlparse_* where the test imports httpx
        "httpx/_content.py": False,  # test_content_* imports another package
        "httpx/_multipart.py": True,  # class TestMultiPart beside an import of httpx._urls
        "other/urlparse.py": False,  # no test imports `other`
    }


def test_metric_counts_modules_imported_or_named_by_tests() -> None:
    files = {
        "src/shop/__init__.py": "from .cart import Cart\n",
        "src/shop/cart.py": BODY,
        "src/shop/_pricing.py": BODY,
        "src/shop/tax.py": BODY,
        "src/shop/fees.py": BODY,
        "src/shop/small.py": "X = 1\n",
        "src/shop/settings.py": "A = 1\nB = 2\nC = 3\nD = 4\nE = 5\n",  # defines nothing to test
        "src/shop/orders_pb2.py": BODY,  # generated
        "src/shop/migrations/0001_initial.py": BODY,
        "src/shop/__main__.py": BODY,
        "docs/conf.py": BODY,
        "tests/test_api.py": "import shop\n\ndef test_x():\n    assert shop\n",
        "tests/test_pricing.py": "def test_y():\n    assert True\n",
        "tests/test_tax_rules.py": "from shop.tax import rate\n",
        "tests/test_mocks.py": "def test_z(mocker):\n    mocker.patch('shop.fees.charge')\n",
    }
    assert coverage(files) == {
        "src/shop/cart.py": False,  # the package is imported, but no test uses a name cart.py defines
        "src/shop/_pricing.py": True,  # a test file is named after it
        "src/shop/tax.py": True,  # imported by dotted name
        "src/shop/fees.py": False,  # a patch() target mocks it out: that is not testing it
    }


def test_metric_counts_modules_a_test_loads_by_import_string() -> None:
    # encode/uvicorn: conftest.py parametrises a fixture with "module:Class" strings it imports.
    conftest = (
        "import pytest\n\n@pytest.fixture(params=['srv.protocols.wsproto_impl:WSProtocol',\n"
        "                        pytest.param('srv.protocols.sansio_impl:SansIOProtocol', id='sansio')])\n"
        "def ws_protocol_cls(request):\n    return import_from_string(request.param)\n"
    )
    files = {
        "srv/__init__.py": "",
        "srv/protocols/__init__.py": "",
        "srv/protocols/wsproto_impl.py": BODY.replace("def f", "def WSProtocol"),
        "srv/protocols/sansio_impl.py": BODY.replace("def f", "def SansIOProtocol"),
        "srv/main.py": BODY.replace("def f", "def app"),
        "srv/users.py": BODY,
        "tests/conftest.py": conftest,
        "tests/test_run.py": "def test_run():\n    assert run('main:app', 'users:admin')\n",
        "tests/test_labels.py": "LABELS = ['users:admin']\n\ndef test_l():\n    assert LABELS\n",
    }
    assert coverage(files) == {
        "srv/protocols/wsproto_impl.py": True,
        "srv/protocols/sansio_impl.py": True,  # inside pytest.param(...)
        "srv/main.py": False,  # `main:app` names a top-level module `main`, which this project does not have
        "srv/users.py": False,  # `users:admin` is no module of this project either
    }


def test_metric_maps_names_through_re_exports_to_the_module_that_defines_them() -> None:
    files = {
        "pkg/__init__.py": "from ._main import main\nfrom ._client import *\nfrom . import _models as models\n",
        "pkg/_main.py": BODY.replace("def f", "def main"),
        "pkg/_client.py": BODY.replace("def f", "def Client"),
        "pkg/_models.py": BODY,
        "pkg/_other.py": BODY,
        "tests/test_a.py": "import pkg\n\ndef test_a():\n    assert pkg.main([]) == 0\n",
        "tests/test_b.py": "from pkg import Client\n\ndef test_b():\n    assert Client()\n",
    }
    assert coverage(files) == {
        "pkg/_main.py": True,  # pkg.main is _main.main
        "pkg/_client.py": True,  # Client comes through a star import of the module that defines it
        "pkg/_models.py": False,
        "pkg/_other.py": False,
    }


def test_metric_follows_star_imports_through_a_subpackage_that_star_imports_its_modules() -> None:
    files = {
        "pkg/__init__.py": "from ._transports import *\n",
        "pkg/_transports/__init__.py": "from .base import *\nfrom .mock import *\nfrom .default import *\n",
        "pkg/_transports/base.py": BODY.replace("def f", "def BaseTransport"),
        "pkg/_transports/mock.py": BODY.replace("def f", "def MockTransport"),
        "pkg/_transports/default.py": BODY.replace("def f", "def HTTPTransport"),
        "tests/test_a.py": "import pkg\n\ndef test_a():\n    assert pkg.MockTransport()\n",
        "tests/test_b.py": "from pkg import BaseTransport\n\ndef test_b():\n    assert BaseTransport()\n",
    }
    assert coverage(files) == {
        "pkg/_transports/base.py": True,  # pkg.BaseTransport is _transports.base.BaseTransport, two stars down
        "pkg/_transports/mock.py": True,
        "pkg/_transports/default.py": False,  # re-exported too, but no test uses a name it defines
    }


def test_metric_follows_a_name_a_star_imported_module_imports_from_another() -> None:
    # joke2k/django-environ a8871d0199: `from .environ import *` brings the FileAwareMapping that
    # environ.py imports from fileaware_mapping.py, and the tests use `environ.FileAwareMapping`.
    files = {
        "pkg/__init__.py": "from .core import *\n",
        "pkg/core.py": "from .mapping import FileAwareMapping\nfrom .other import _hidden\n" + BODY,
        "pkg/mapping.py": BODY.replace("def f", "def FileAwareMapping"),
        "pkg/other.py": BODY.replace("def f", "def _hidden"),
        "tests/test_a.py": "import pkg\n\ndef test_a():\n    assert pkg.FileAwareMapping() and pkg.f() and pkg._hidden\n",
    }
    assert coverage(files) == {"pkg/core.py": True, "pkg/mapping.py": True, "pkg/other.py": False}

def test_metric_owes_no_test_for_a_django_apps_config() -> None:
    # jazzband/django-oauth-toolkit 9561866668: an AppConfig whose `ready()` imports the app's checks.
    config = "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n\n" \
             "    def ready(self):\n        from . import checks\n        return checks\n"
    files = {"shop/apps.py": config, "other/apps.py": BODY.replace("def f", "def apps_list"), "shop/__init__.py": ""}
    assert coverage(files) == {"other/apps.py": False}  # an `apps.py` that is no Django AppConfig still is

def test_metric_counts_what_a_star_import_of_a_package_brings_through_its_subpackages() -> None:
    files = {
        "pkg/__init__.py": "from ._transports import *\n",
        "pkg/_transports/__init__.py": "from .mock import *\n",
        "pkg/_transports/mock.py": BODY.replace("def f", "def MockTransport"),
        "pkg/_other.py": BODY,
        "tests/test_a.py": "from pkg import *\n\ndef test_a():\n    assert MockTransport()\n",
    }
    assert coverage(files) == {"pkg/_transports/mock.py": True, "pkg/_other.py": False}


def test_metric_follows_star_imports_between_packages_that_import_each_other() -> None:
    files = {
        "pkg/__init__.py": "from .sub import *\n",
        "pkg/sub/__init__.py": "from .. import *\nfrom .mod import *\n",
        "pkg/sub/mod.py": BODY.replace("def f", "def thing"),
        "pkg/sub/other.py": BODY,
        "tests/test_a.py": "import pkg\n\ndef test_a():\n    assert pkg.missing and pkg.thing\n",
        "tests/test_b.py": "from pkg import *\n",
    }
    assert coverage(files) == {"pkg/sub/mod.py": True, "pkg/sub/other.py": False}  # and the cycle ends


def test_metric_searches_each_package_once_when_star_imports_fan_out() -> None:
    subs = [f"s{i}" for i in range(16)]
    stars = "".join(f"from pkg.{s} import *\n" for s in subs)
    files = {"pkg/__init__.py": stars, "pkg/mod.py": BODY.replace("def f", "def thing")}
    files |= {f"pkg/{s}/__init__.py": stars + "from pkg.mod import *\n" for s in subs}
    uses = " and ".join(f"pkg.missing{i}" for i in range(20))
    files["tests/test_a.py"] = f"import pkg\n\ndef test_a():\n    assert {uses} and pkg.thing\n"
    assert coverage(files) == {"pkg/mod.py": True}  # 16 packages star-importing each other: no 16**5 walk


def test_metric_counts_what_a_conftest_uses_through_a_module() -> None:
    # loguru 3fb23a4f4a: the conftest's fixture runs `loguru._logger.Core()` for every test.
    files = {"pkg/__init__.py": "", "pkg/_core.py": BODY, "pkg/other.py": BODY,
             "tests/conftest.py": "import pkg\n\n\ndef reset():\n    return pkg._core.f()\n",
             "tests/test_a.py": "def test_a():\n    assert True\n"}
    assert coverage(files) == {"pkg/_core.py": True, "pkg/other.py": False}

def test_metric_marks_untested_modules_and_repos_without_tests() -> None:
    files = {"app/__init__.py": "", "app/core.py": BODY, "app/util.py": BODY, "tests/test_core.py": "from app import core\n"}
    assert coverage(files) == {"app/core.py": True, "app/util.py": False}
    assert coverage({"app/__init__.py": "", "app/core.py": BODY}) == {"app/core.py": False}
    assert coverage({"README.md": "# x\n"}) == {}


def test_metric_unit_goes_bad_when_its_test_is_deleted() -> None:
    before = {"app/__init__.py": "", "app/core.py": BODY, "tests/test_x.py": "import app.core\n"}
    after = {"app/__init__.py": "", "app/core.py": BODY}
    assert coverage(before) == {"app/core.py": True}
    assert coverage(after) == {"app/core.py": False}


def test_codes_names_and_severities() -> None:
    rules = [m.RULE for m in (no_assertion, skip_marker, xfail_marker, missing_test_import)]
    assert [(r.code, r.name, r.severity.value) for r in rules] == [
        ("TST001", "test-without-assertion", "medium"),
        ("TST002", "skipped-test", "low"),
        ("TST003", "xfail-test", "low"),
        ("TST004", "test-imports-missing-module", "high"),
    ]
    assert (module_coverage.METRIC.name, module_coverage.METRIC.points) == ("test-coverage-of-modules", 40.0)
