"""Code written for a newer Python than Verity's own is new syntax, not a file that does not parse."""

from __future__ import annotations

import json

from app.engine.python_target import NEWEST_TARGET, target_finder, target_of
from app.engine.report import Report
from app.engine.ruff import SYNTAX_ERROR, parse_ruff_output
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import blocking, run_audit

# PEP 758 (Python 3.14): `except` without parentheses; PEP 649: an annotation naming a later class.
PY314_MODULE = (
    "import os\n\n\n"
    "def parse(text: str, into: Later) -> int:\n"
    "    try:\n"
    "        return int(text)\n"
    "    except ValueError, TypeError:\n"
    "        return 0\n\n\n"
    "class Later:\n"
    "    pass\n"
)
BROKEN_MODULE = "def parse(text:\n    return int(text)\n"


def _pyproject(requires: str) -> str:
    """Return a minimal pyproject.toml requiring a Python version."""
    return f'[project]\nname = "demo"\nversion = "1"\nrequires-python = "{requires}"\n'


def _rules(report: Report, path: str) -> list[str]:
    """Return the rules of the report's findings in one file."""
    return sorted(f.rule for f in report.findings if f.path == path)


def _audit_adding(repo: RepoBuilder, files: dict[str, str], added: str, text: str) -> Report:
    """Commit files, then add one module, and audit the addition."""
    base = repo.commit("base", {"README.md": "# demo\n", **files})
    head = repo.commit("add module", {added: text})
    return run_audit(repo, base, head)


def test_py314_syntax_in_a_project_requiring_314_is_analysed_by_ruff_not_a_parse_error(repo: RepoBuilder) -> None:
    report = _audit_adding(repo, {"backend/pyproject.toml": _pyproject(">=3.14,<4.0")},
                           "backend/app/utils.py", PY314_MODULE)
    rules = _rules(report, "backend/app/utils.py")
    assert "QLT001" not in rules
    assert "F821" not in rules  # annotations are deferred on 3.14: `Later` is a forward reference
    assert "F401" in rules  # ruff did analyse the file
    assert blocking(report) == []
    assert any("newer than Python 3.11" in n and "backend/app/utils.py" in n for n in report.notes)


def test_newer_syntax_without_a_declared_python_is_noted_not_blocked(repo: RepoBuilder) -> None:
    report = _audit_adding(repo, {}, "app/utils.py", PY314_MODULE.replace("into: Later", "into: int"))
    assert "QLT001" not in _rules(report, "app/utils.py")
    assert "quality" not in blocking(report)
    assert any("app/utils.py" in n for n in report.notes)


def test_a_real_syntax_error_stays_qlt001_high(repo: RepoBuilder) -> None:
    report = _audit_adding(repo, {"pyproject.toml": _pyproject(">=3.14")}, "app/utils.py", BROKEN_MODULE)
    found = [f for f in report.findings if f.rule == "QLT001"]
    assert [f.severity.value for f in found] == ["high"]
    assert "quality" in blocking(report)
    assert not any("newer than Python" in n for n in report.notes)


def test_newer_syntax_in_a_project_supporting_older_pythons_does_not_parse(repo: RepoBuilder) -> None:
    report = _audit_adding(repo, {"pyproject.toml": _pyproject(">=3.10")}, "app/utils.py", PY314_MODULE)
    assert "QLT001" in _rules(report, "app/utils.py")


def test_a_python_version_pin_declares_the_python_too(repo: RepoBuilder) -> None:
    report = _audit_adding(repo, {".python-version": "3.14\n"}, "app/utils.py", PY314_MODULE)
    assert "F821" not in _rules(report, "app/utils.py")


def test_changing_the_declared_python_re_analyses_the_files(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"pyproject.toml": _pyproject(">=3.10"), "app/utils.py": PY314_MODULE})
    head = repo.commit("require 3.14", {"pyproject.toml": _pyproject(">=3.14")})
    report = run_audit(repo, base, head)
    assert [f.status for f in report.findings if f.rule == "QLT001"] == ["fixed"]


def test_declared_targets_follow_ruff_then_requires_python_nearest_folder_first() -> None:
    assert target_of("pyproject.toml", _pyproject(">=3.14,<4.0").encode()) == "py314"
    assert target_of("pyproject.toml", _pyproject("~=3.12").encode()) == "py312"
    assert target_of("pyproject.toml", _pyproject(">3.12").encode()) == "py313"
    assert target_of("pyproject.toml", _pyproject(">=2.7,>=3.6").encode()) == "py37"
    assert target_of("pyproject.toml", _pyproject(">=3.99").encode()) == NEWEST_TARGET
    ruffed = _pyproject(">=3.9") + '[tool.ruff]\ntarget-version = "py312"\n'
    assert target_of("pyproject.toml", ruffed.encode()) == "py312"
    assert target_of("ruff.toml", b'target-version = "py313"\n') == "py313"
    assert target_of("pyproject.toml", b"not = [toml") == ""
    assert target_of(".python-version", b"3.14\n") == "py314"
    assert target_of("app/.python-version", b"cpython-3.12.1\n") == "py312"
    assert target_of(".python-version", b"pypy\n") == ""
    find = target_finder({"": "py310", "backend": "py314"})
    assert find("backend/app/x.py") == "py314"
    assert find("scripts/x.py") == "py310"
    assert target_finder({})("x.py") == ""


def test_ruff_syntax_errors_are_marked_with_or_without_a_code() -> None:
    names = {"/copies/x/a.py": "a"}
    out = json.dumps([
        {"code": None, "filename": "/copies/x/a.py", "message": "SyntaxError: x", "location": {"row": 2, "column": 1},
         "end_location": {"row": 2, "column": 3}},
        {"code": "invalid-syntax", "filename": "/copies/x/a.py", "message": "y", "location": {"row": 3, "column": 1}},
        {"code": "F401", "filename": "/copies/x/a.py", "message": "z", "location": {"row": 1, "column": 8},
         "end_location": {"row": 1, "column": 10}},
    ]).encode()
    found = parse_ruff_output(out, names)["a"]
    assert [(f.code, f.line, f.column, f.end_column) for f in found] == [
        (SYNTAX_ERROR, 2, 1, 3), (SYNTAX_ERROR, 3, 1, 0), ("F401", 1, 8, 10)]


def test_findings_of_checks_that_did_not_run_on_newer_syntax_are_not_fixed(repo: RepoBuilder) -> None:
    cors = ("from fastapi.middleware.cors import CORSMiddleware\n\n\n"
            "def setup(app):\n    app.add_middleware(CORSMiddleware, allow_origins=['*'])\n")
    base = repo.commit("base", {"app/main.py": cors})
    newer = cors + "\n\ndef parse(text):\n    try:\n        return int(text)\n    except ValueError, TypeError:\n        return 0\n"
    head = repo.commit("3.14 syntax", {"app/main.py": newer})
    report = run_audit(repo, base, head)
    assert [f.rule for f in report.findings] == []
    assert any("app/main.py" in n for n in report.notes)
