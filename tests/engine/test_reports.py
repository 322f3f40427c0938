"""Renderers and the engine's small pieces, on real reports from real repositories."""

from __future__ import annotations

import json

import pytest

from app.engine.collect import decode, normalise
from app.engine.findings import is_ignored
from app.engine.model import DOMAIN_ORDER, Domain
from app.engine.scoring_docs import domain_doc
from app.report.markdown import escape_cell, render_details, render_markdown, title
from app.report.sarif import render_sarif
from app.report.text import render_text
from config.policy import parse_policy
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import run_audit

BAD = 'import subprocess\n\n\ndef run(cmd):\n    """Run."""\n    return subprocess.call(cmd, shell=True)\n'


def _report(repo: RepoBuilder):  # type: ignore[no-untyped-def]
    base = repo.commit("base", {"a.py": '"""A."""\n\nimport os\n'})
    head = repo.commit("head", {"a.py": '"""A."""\n', "b|pipe.py": BAD})
    return run_audit(repo, base, head)


def test_markdown_summary_has_the_table_reasons_and_findings(repo: RepoBuilder) -> None:
    report = _report(repo)
    out = render_markdown(report)
    assert out.startswith(f"## Verity: {title(report)}")
    assert out.count("\n| ") == len(DOMAIN_ORDER) + 2  # header, ten domains, overall (separator excluded)
    assert "### Why the gate failed" in out and "b\\|pipe.py" in out
    assert "Fixed findings: 1." in out


def test_details_explain_every_domain(repo: RepoBuilder) -> None:
    out = render_details(_report(repo))
    for d in DOMAIN_ORDER:
        assert f"### {d.value}:" in out
    assert "-" in out and "S602" in out


def test_text_report_lists_new_findings_and_the_verdict(repo: RepoBuilder) -> None:
    out = render_text(_report(repo))
    assert "FAIL" in out and "b|pipe.py:6: S602 [high]" in out


def test_sarif_lists_only_new_findings(repo: RepoBuilder) -> None:
    log = json.loads(render_sarif(_report(repo), "1.0"))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["S602"]
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b%7Cpipe.py"


def test_escape_cell_keeps_tables_intact() -> None:
    assert escape_cell("a|b\nc") == "a\\|b c"


@pytest.mark.parametrize("domain", list(Domain))
def test_every_domain_documents_its_formula(domain: Domain) -> None:
    doc = domain_doc(domain)
    assert doc.startswith(f"# {domain.value}") and "score = 100" in doc and "Checks:" in doc


def test_decode_skips_binary_and_non_utf8() -> None:
    assert decode(b"x = 1\n") == ("x = 1\n", "")
    assert decode(b"\x00\x01") == ("", "binary")
    assert decode("café".encode("latin-1")) == ("", "not UTF-8")
    assert decode(None) == ("", "blob missing")
    assert normalise("  a =\t 1  \n b ") == "a=1b"
    assert normalise("call(\n    a,\n    b,\n)") == normalise("call(a, b)")


def test_policy_ignore_takes_codes_and_ruff_prefixes() -> None:
    policy = parse_policy('[rules]\nignore = ["DOC001", "PERF"]\n')
    assert is_ignored("DOC001", policy) and is_ignored("PERF401", policy)
    assert not is_ignored("DOC002", policy) and not is_ignored("S602", policy)
