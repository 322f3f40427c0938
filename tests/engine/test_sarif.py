"""SARIF that GitHub code scanning takes as it is: rule documentation, limits, and Microsoft's multitool."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.engine.model import Domain, Finding, Severity
from app.engine.report import Report
from app.report import sarif
from app.report.sarif import render_sarif
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import run_audit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SARIF_SCHEMA = FIXTURES / "sarif-schema-2.1.0.json"
MULTITOOL = FIXTURES / "npm" / "node_modules" / ".bin" / "sarif-multitool"
MISSING = "{path} is missing: run `make npm-fixtures` (tests/fixtures/install-npm.sh)"

BAD = '''"""Admin helpers."""

import os
import subprocess

GITHUB_TOKEN = "{token}"


def run(cmd: str) -> int:
    """Run a shell command."""
    return subprocess.call(cmd, shell=True)


def report() -> None:
    """Print a report."""
    try:
        run("ls")
    except Exception:
        pass
'''


@pytest.fixture(name="log")
def _log(repo: RepoBuilder) -> dict[str, Any]:
    """Return the SARIF of a real PR adding a secret, shell=True, an unused import and a swallowed exception."""
    base = repo.commit("base", {"README.md": "# x\n\n## Install\n\npip\n\n## Usage\n\nrun\n", "app.py": '"""A."""\n'})
    token = "gh" + "p_" + "Zq7xR2mV9kL4pW8sT1nB6yC3dF5gH0jK2aE4"  # split: no scanner mistakes the test for a leak
    head = repo.commit("head", {"admin/tools.py": BAD.replace("{token}", token)})
    data: dict[str, Any] = json.loads(render_sarif(run_audit(repo, base, head), "0.1.0"))
    return data


def test_rules_carry_their_documentation_and_security_metadata(log: dict[str, Any]) -> None:
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"SEC002", "S602", "F401"} <= set(rules)
    for rule in rules.values():
        assert rule["fullDescription"]["text"] and rule["help"]["markdown"] and rule["help"]["text"]
    assert rules["SEC002"]["help"]["markdown"].startswith("## What it does")
    assert rules["S602"]["helpUri"] == "https://docs.astral.sh/ruff/rules/subprocess-popen-with-shell-equals-true/"
    assert rules["F401"]["helpUri"] == "https://docs.astral.sh/ruff/rules/unused-import/"
    assert "helpUri" not in rules["SEC002"]
    for code in ("SEC002", "S602"):
        props = rules[code]["properties"]
        assert float(props["security-severity"]) > 0 and "security" in props["tags"]
    assert "security-severity" not in rules["F401"]["properties"]


def test_the_run_names_its_automation_and_tool_and_no_file_uri(log: dict[str, Any]) -> None:
    run = log["runs"][0]
    assert run["automationDetails"]["id"] and run["tool"]["driver"]["informationUri"].startswith("https://")
    assert "versionControlProvenance" not in run and "file:///" not in json.dumps(log)
    levels = [r["level"] for r in run["results"]]
    order = {"error": 0, "warning": 1, "note": 2}
    assert levels == sorted(levels, key=order.__getitem__)  # most severe first
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def _finding(index: int, severity: Severity) -> Finding:
    """Return a new finding on its own line."""
    return Finding("S602", "subprocess-popen-with-shell-equals-true", Domain.SECURITY, severity, "a.py", index,
                   index, "shell=True", f"fp{index}", status="new")


def test_results_are_capped_at_githubs_limit_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    found = [_finding(i, Severity.LOW) for i in range(1, 5)] + [_finding(9, Severity.CRITICAL)]
    report = Report("a" * 40, "b" * 40, False, (), 90.0, 80.0, (), tuple(found))
    run = json.loads(render_sarif(report, "0.1.0"))["runs"][0]
    assert len(run["results"]) == 3
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert note.startswith("5 findings; only the 3 most severe are listed")


def _multitool_errors(path: Path, tmp_path: Path, *kind: str) -> list[str]:
    """Run Microsoft's SARIF multitool on a log and return its error results (it exits 0 either way)."""
    if not MULTITOOL.exists():
        raise FileNotFoundError(MISSING.format(path=MULTITOOL))
    out = tmp_path / f"validation{'-'.join(kind)}.sarif"
    # The file goes before --rule-kind: that option takes every value that follows it.
    proc = subprocess.run([str(MULTITOOL), "validate", str(path), *kind, "-o", str(out), "--log", "ForceOverwrite"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["runs"][0].get("results", [])
    return [f"{r['ruleId']}: {r['message']}" for r in results if r.get("level", "warning") == "error"]


@pytest.mark.parametrize("kind", [(), ("--rule-kind", "Gh")], ids=["default", "github"])
def test_microsofts_multitool_finds_no_error(log: dict[str, Any], tmp_path: Path, kind: tuple[str, ...]) -> None:
    path = tmp_path / "verity.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    assert _multitool_errors(path, tmp_path, *kind) == []


def test_the_multitool_does_report_errors(tmp_path: Path) -> None:
    path = tmp_path / "bare.sarif"
    path.write_text(json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}))
    assert any(e.startswith("GH1018") for e in _multitool_errors(path, tmp_path, "--rule-kind", "Gh"))
