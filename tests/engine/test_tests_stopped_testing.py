"""Tests that stopped testing, on real git repositories: no assertion, switched off, deleted."""

from __future__ import annotations

from app.engine.model import Domain
from app.engine.report import Report
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit

PYPROJECT = '[project]\nname = "shop"\nversion = "1"\ndependencies = ["httpx"]\n'
PACKAGE = {
    "pyproject.toml": PYPROJECT,
    "shop/__init__.py": '"""Shop."""\n\nfrom ._cli import main\nfrom ._cart import Cart\n',
    "shop/_cli.py": '"""Command line."""\n\n\ndef main(argv: list[str]) -> int:\n    """Run the CLI."""\n'
                    '    if argv and argv[0] == "--bad":\n        raise SystemExit(2)\n    return 0\n',
    "shop/_cart.py": '"""Cart."""\n\n\nclass Cart:\n    """A cart."""\n\n    def total(self) -> int:\n'
                     '        """Return the total."""\n        return 0\n',
    "tests/test_cart.py": "import shop\n\n\ndef test_total() -> None:\n    assert shop.Cart().total() == 0\n",
}
CLI_TEST = "from shop import main\n\n\ndef test_main() -> None:\n    assert main([]) == 0\n"


def audit(repo: RepoBuilder, base_files: dict[str, str], head_files: dict[str, str],
          deleted: tuple[str, ...] = ()) -> Report:
    """Commit base, then head, and audit the change."""
    base = repo.commit("base", base_files)
    if deleted:
        repo.delete(*deleted)
    head = repo.commit("head", head_files)
    return run_audit(repo, base, head)


def rules(report: Report) -> list[str]:
    """Return the rules of the report's new findings."""
    return [f.rule for f in report.findings if f.status == "new"]


def test_a_test_that_only_calls_production_code_is_tst001(repo: RepoBuilder) -> None:
    test = ("from shop._cli import main\nfrom shop._cart import Cart\n\n\ndef test_bad_flag() -> None:\n"
            "    main(['--ok'])\n\n\ndef test_total() -> None:\n    Cart().total()\n")
    report = audit(repo, PACKAGE, {"tests/test_flags.py": test})
    found = {f.message.split("`")[1]: f.severity.value for f in report.findings if f.rule == "TST001"}
    # Only "main does not raise" is checked by the code under test: low. Nothing at all is checked: medium.
    assert found == {"test_bad_flag": "low", "test_total": "medium"}
    assert domain(report, Domain.TESTS).regressed


def test_a_test_calling_an_asserting_helper_of_the_test_code_is_not_tst001(repo: RepoBuilder) -> None:
    helper = "from shop._cli import main\n\n\ndef check_exit(argv: list[str]) -> None:\n    assert main(argv) == 0\n"
    test = "from tests.helpers import check_exit\n\n\ndef test_ok() -> None:\n    check_exit(['--ok'])\n"
    report = audit(repo, PACKAGE, {"tests/helpers.py": helper, "tests/test_flags.py": test})
    assert "TST001" not in rules(report)


def test_importorskip_of_an_undeclared_package_regresses_tests(repo: RepoBuilder) -> None:
    test = "import pytest\n\nyaml = pytest.importorskip('yaml')\n\n\n" + CLI_TEST.split("\n\n\n", 1)[1]
    base = {**PACKAGE, "tests/test_cli.py": CLI_TEST}
    report = audit(repo, base, {"tests/test_cli.py": "from shop import main\n" + test})
    tests = domain(report, Domain.TESTS)
    assert tests.regressed and "TST005" in " ".join(tests.reasons)


def test_importorskip_of_a_declared_package_does_not_regress(repo: RepoBuilder) -> None:
    test = "import pytest\n\nhttpx = pytest.importorskip('httpx')\n\n\n" + CLI_TEST.split("\n\n\n", 1)[1]
    base = {**PACKAGE, "tests/test_cli.py": CLI_TEST}
    report = audit(repo, base, {"tests/test_cli.py": "from shop import main\n" + test})
    assert not domain(report, Domain.TESTS).regressed


def test_an_unconditional_skip_regresses_tests_and_a_platform_skip_does_not(repo: RepoBuilder) -> None:
    base = {**PACKAGE, "tests/test_cli.py": CLI_TEST}
    skipped = "import pytest\n" + CLI_TEST.replace("def test_main", "@pytest.mark.skip(reason='later')\ndef test_main")
    assert domain(audit(repo, base, {"tests/test_cli.py": skipped}), Domain.TESTS).regressed
    platform = "import sys\nimport pytest\n" + CLI_TEST.replace(
        "def test_main", "@pytest.mark.skipif(sys.platform == 'win32', reason='posix')\ndef test_main")
    head = repo.commit("platform", {"tests/test_cli.py": platform})
    assert not domain(run_audit(repo, head + "~2", head), Domain.TESTS).regressed


def test_deleting_the_only_test_of_a_re_exported_module_regresses_tests(repo: RepoBuilder) -> None:
    base = {**PACKAGE, "tests/test_entrypoint.py": CLI_TEST}
    tests = domain(audit(repo, base, {}, deleted=("tests/test_entrypoint.py",)), Domain.TESTS)
    assert tests.regressed and "shop/_cli.py" in " ".join(tests.reasons)


def test_adding_the_first_test_of_a_re_exported_module_improves_tests(repo: RepoBuilder) -> None:
    tests = domain(audit(repo, PACKAGE, {"tests/test_entrypoint.py": CLI_TEST}), Domain.TESTS)
    assert not tests.regressed
    assert tests.base is not None and tests.head is not None and tests.head > tests.base


def test_importorskip_of_a_package_a_lock_file_pins_does_not_regress(repo: RepoBuilder) -> None:
    test = "import pytest\n\nyaml = pytest.importorskip('yaml')\n\n\n" + CLI_TEST.split("\n\n\n", 1)[1]
    lock = 'version = 1\n\n[[package]]\nname = "pyyaml"\nversion = "6.0.2"\n'
    base = {**PACKAGE, "tests/test_cli.py": CLI_TEST, "uv.lock": lock}
    report = audit(repo, base, {"tests/test_cli.py": "from shop import main\n" + test})
    assert not domain(report, Domain.TESTS).regressed


def test_importorskip_of_a_package_an_extensionless_requirements_file_lists_does_not_regress(
        repo: RepoBuilder) -> None:
    # falconry/falcon a7d82e9072: tox installs `-r requirements/tests`, a list with no `.txt`.
    test = "import pytest\n\nyaml = pytest.importorskip('yaml')\n\n\n" + CLI_TEST.split("\n\n\n", 1)[1]
    tox = "[testenv]\ndeps = -r{toxinidir}/requirements/tests\ncommands = pytest\n"
    base = {**PACKAGE, "tests/test_cli.py": CLI_TEST, "tox.ini": tox, "requirements/tests": "pytest\npyyaml\n",
            "requirements/README": "Each file lists what one tox environment installs: pip install -r it.\n"}
    report = audit(repo, base, {"tests/test_cli.py": "from shop import main\n" + test})
    assert not domain(report, Domain.TESTS).regressed
    assert "TST005" not in rules(report)
