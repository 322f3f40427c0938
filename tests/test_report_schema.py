"""The JSON report's published schema: valid itself, met by real reports, and strict where it matters."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from jsonschema import Draft202012Validator

from app.engine.report import VERDICTS
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import run_audit
from tests.report_schema import SCHEMA_PATH, report_errors

README = Path(__file__).resolve().parents[1] / "README.md"
BAD = 'import subprocess\n\n\ndef run(cmd):\n    """Run."""\n    return subprocess.call(cmd, shell=True)\n'


def test_the_schema_is_a_valid_json_schema_and_lists_every_verdict() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$defs"]["domain"]["properties"]["verdict"]["enum"] == list(VERDICTS)


def test_a_real_report_validates_and_contradictions_do_not(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"README.md": "# x\n\n## Install\n\npip\n\n## Usage\n\nrun\n", "a.py": '"""A."""\n'})
    head = repo.commit("head", {"b.py": BAD})
    data = run_audit(repo, base, head).to_json()
    assert report_errors(data) == []
    security = next(i for i, d in enumerate(data["domains"]) if d["domain"] == "security")
    without_reasons = copy.deepcopy(data)
    without_reasons["domains"][security]["reasons"] = []
    assert any("domains/1/reasons" in e for e in report_errors(without_reasons))
    not_blocking = copy.deepcopy(data)
    not_blocking["domains"][security]["verdict"] = "improved"
    assert report_errors(not_blocking)
    unknown = copy.deepcopy(data)
    unknown["domains"][0]["verdict"] = "ok"
    assert report_errors(unknown)
    missing = copy.deepcopy(data)
    del missing["findings"][0]["on_added_line"]
    assert report_errors(missing)


def test_the_readme_documents_the_format_and_shows_every_verdict() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "docs/report.schema.json" in readme
    for verdict in VERDICTS:
        assert f"| `{verdict}` |" in readme
