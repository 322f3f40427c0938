"""`verity report`: where a repository stands at one commit, in text, markdown, html and json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.cli import main
from tests.conftest import RepoBuilder

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "standing.schema.json").read_text(encoding="utf-8"))
DOMAINS = ["quality", "security", "tests", "docs", "architecture", "ci", "infrastructure",
           "observability", "performance", "dependencies"]
HOSTILE = "pkg/<script>alert(1)</script>.py"
SHELL = 'import subprocess\n\n\ndef run(cmd: str) -> int:\n    """Run."""\n    code = len(cmd)\n    return subprocess.call(cmd, shell=True) + code\n'
WORKFLOW = """name: ci
on: [pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4
      - run: python -m pytest -q
"""
FILES: dict[str, str | bytes] = {
    "README.md": "# Demo\n\n## Install\n\npip install demo\n\n## Usage\n\ndemo run\n",
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\ndependencies = []\n',
    "pkg/__init__.py": "",
    "pkg/core.py": '"""Core."""\n\n\ndef double(value: int) -> int:\n    """Double."""\n    twice = value * 2\n    return twice\n',
    "pkg/runner.py": SHELL,
    HOSTILE: '"""Hostile name."""\n\n\ndef nothing() -> None:\n    value = None\n    other = value\n    return other\n',
    "tests/test_core.py": "from pkg.core import double\n\n\ndef test_double() -> None:\n    assert double(2) == 4\n",
    ".github/workflows/ci.yml": WORKFLOW,
    ".github/verity.toml": "[domains.performance]\nenabled = false\n",
    "logo.png": b"\x89PNG\r\n\x1a\n\0\0\0binary",
}


@pytest.fixture
def sample(repo: RepoBuilder) -> tuple[RepoBuilder, str]:
    """Return a repository with findings, metrics, a disabled domain, a binary file and a hostile path."""
    repo.commit("first", {"README.md": "# Demo\n"})
    return repo, repo.commit("second", FILES)


def _report(repo: RepoBuilder, fmt: str, capsys: pytest.CaptureFixture[str], at: str = "HEAD") -> str:
    """Run `verity report` and return its output, checking it exits 0 and writes nothing to stderr."""
    assert main(["report", "--repo", str(repo.root), "--at", at, "--format", fmt]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _json(repo: RepoBuilder, capsys: pytest.CaptureFixture[str], at: str = "HEAD") -> dict[str, Any]:
    """Return the JSON report, validated against docs/standing.schema.json."""
    data: dict[str, Any] = json.loads(_report(repo, "json", capsys, at))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    return data


def _runner_line() -> int:
    """Return the line of the shell=True call in pkg/runner.py."""
    return SHELL.splitlines().index("    return subprocess.call(cmd, shell=True) + code") + 1


def test_text_report_shows_scores_findings_metrics_checklist_and_what_was_not_judged(
        sample: tuple[RepoBuilder, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, head = sample
    out = _report(repo, "text", capsys)
    assert out.startswith(f"Verity report at {head[:12]}: overall ")
    assert re.search(r"^security\s+\d+\.\d\s", out, re.M)
    assert re.search(r"^infrastructure\s+n/a\s", out, re.M)
    assert f"pkg/runner.py:{_runner_line()} S602" in out
    assert "test-coverage-of-modules: 1 of 3 tested (33%); not tested: " in out
    assert "ci-runs-checks: CI runs the tests ✓, CI runs a linter ✗ (costs 20.0 of 40 points)" in out
    assert "README exists ✓, README has an install section ✓, README has a usage section ✓" in out
    assert "1 file skipped: binary" in out
    assert "performance: disabled" in out and "disabled by the policy" in out
    assert "not scored (n/a): no files it judges" in out


def test_markdown_report_holds_the_domain_table_and_evidence(
        sample: tuple[RepoBuilder, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = sample
    out = _report(repo, "markdown", capsys)
    assert "| Domain | Score | Findings | Metrics |" in out
    for domain in DOMAINS:
        assert re.search(rf"^\| {domain} \| (\d+\.\d|n/a|disabled) \|", out, re.M), domain
    assert "| performance | disabled |" in out and "| infrastructure | n/a |" in out
    assert f"`pkg/runner.py:{_runner_line()}` **high** S602" in out
    assert "CI runs the tests ✓, CI runs a linter ✗" in out
    assert "### Not judged" in out and "1 file skipped: binary" in out
    # The hostile name is a code span and its text is never raw HTML outside one.
    assert "<script>" not in out.replace("`pkg/<script>alert(1)</script>.py", "")


def test_html_report_is_one_self_contained_escaped_page_with_a_chart(
        sample: tuple[RepoBuilder, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = sample
    out = _report(repo, "html", capsys)
    assert out.startswith("<!DOCTYPE html>") and "<style>" in out and "@media print" in out
    chart = out[out.index("<svg"):out.index("</svg>")]
    assert chart.count("<rect") == 8  # a bar per scored domain: infrastructure is n/a, performance disabled
    assert "security" in chart and "disabled" in chart
    assert not re.search(r"https?://", out), "no external asset or link"
    assert not re.search(r"""\b(src|href)\s*=\s*(?!["']?#)""", out), "only in-page links"
    assert "url(" not in out and "@import" not in out and "<script" not in out and "<link" not in out
    assert "pkg/&lt;script&gt;alert(1)&lt;/script&gt;.py" in out
    assert f"pkg/runner.py:{_runner_line()}" in out
    assert "✓ CI runs the tests" in out and "✗ CI runs a linter" in out
    assert "Not judged" in out and "Skipped: binary" in out


def test_json_report_follows_its_schema(sample: tuple[RepoBuilder, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, head = sample
    data = _json(repo, capsys)
    assert data["commit"] == head and data["version"] == 1 and isinstance(data["overall"], float)
    assert [d["domain"] for d in data["domains"]] == DOMAINS
    by = {d["domain"]: d for d in data["domains"]}
    assert by["infrastructure"]["score"] is None and by["infrastructure"]["not_judged"]
    assert by["performance"]["score"] is None and not by["performance"]["enabled"]
    security = by["security"]
    assert security["findings"]["by_severity"]["high"] >= 1
    assert {"rule": "S602", "path": "pkg/runner.py", "line": _runner_line()}.items() <= security["findings"]["top"][0].items()
    ci = next(m for m in by["ci"]["metrics"] if m["name"] == "ci-runs-checks")
    assert ci["kind"] == "checklist" and [u["good"] for u in ci["units"]] == [True, False]
    tests = next(m for m in by["tests"]["metrics"] if m["name"] == "test-coverage-of-modules")
    assert tests["kind"] == "ratio" and (tests["good"], tests["total"]) == (1, 3)
    assert {u["path"] for u in tests["units"]} == {"pkg/runner.py", HOSTILE}
    assert data["skipped"] == [{"path": "logo.png", "reason": "binary"}]


def test_json_report_of_an_earlier_commit(sample: tuple[RepoBuilder, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = sample
    first = repo.git("rev-parse", "HEAD~1").strip()
    data = _json(repo, capsys, at="HEAD~1")
    assert data["commit"] == first and data["files"] == 1
    assert all(d["findings"]["total"] == 0 for d in data["domains"])


@pytest.mark.parametrize("args", [
    ["report", "--repo", "{repo}", "--at", "no-such-ref"],
    ["report", "--repo", "{tmp}"],
    ["report", "--repo", "{repo}", "--format", "pdf"],
])
def test_report_exits_2_with_one_line_on_bad_input(sample: tuple[RepoBuilder, str], tmp_path: Path,
                                                    args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = sample
    empty = tmp_path / "not-a-repo"
    empty.mkdir()
    filled = [a.format(repo=repo.root, tmp=empty) for a in args]
    try:
        code = main(filled)
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("verity: ") and "\n" not in err


def test_report_exits_2_on_an_invalid_policy_at_the_commit(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("bad policy", {".github/verity.toml": "[gate\nseverity = 'x'\n", "a.py": "A = 1\n"})
    assert main(["report", "--repo", str(repo.root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("verity: ") and "line 1" in err and "\n" not in err
