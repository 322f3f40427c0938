"""Renderers and the engine's small pieces, on real reports from real repositories."""

from __future__ import annotations

import json

import pytest

from app.engine.collect import normalise
from app.engine.decoding import decode
from app.engine.findings import is_ignored
from app.engine.model import DOMAIN_ORDER, Domain
from app.engine.scoring_docs import domain_doc
from app.github.output import fit_summary
from app.report.markdown import (
    HOW_TO_PROCEED,
    escape_cell,
    escape_message,
    render_details,
    render_markdown,
    summary_sections,
    title,
)
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


def test_markdown_summary_has_the_table_blockers_collapsed_lists_and_footer(repo: RepoBuilder) -> None:
    report = _report(repo)
    out = render_markdown(report, "https://github.com/acme/shop")
    assert title(report) not in out and not out.startswith("#")  # the check's title is not repeated
    assert out.startswith("| Domain | Base | Head | Δ | Verdict | Why |")
    assert out.count("\n| ") == len(DOMAIN_ORDER) + 1  # ten domains and overall (header first, separator excluded)
    assert "| security | 100.0 |" in out and "| **regressed** | 1 new high (" in out
    assert "### Blocking (1)" in out
    assert f"[`b|pipe.py:6`](https://github.com/acme/shop/blob/{report.head}/b%7Cpipe.py#L6)" in out
    assert "<details><summary>Fixed findings (1)</summary>" in out and "`F401`" in out
    assert out.rstrip().endswith("\n".join(HOW_TO_PROCEED))
    assert "/audit accept DOMAIN REASON" in out and "/audit explain CODE" in out


def test_every_blocking_finding_is_listed_and_the_footer_survives_the_limit(repo: RepoBuilder) -> None:
    calls = "".join(f"\n\ndef run{i}(cmd):\n    \"\"\"Run.\"\"\"\n    return subprocess.call(cmd, shell=True)\n"
                    for i in range(40))
    base = repo.commit("base", {"a.py": '"""A."""\n'})
    head = repo.commit("head", {"many.py": '"""Many."""\n\nimport subprocess' + calls})
    report = run_audit(repo, base, head)
    out = render_markdown(report, "https://github.com/acme/shop")
    assert "### Blocking (40)" in out and out.count("`S602`") == 40
    summary = fit_summary(summary_sections(report, "https://github.com/acme/shop"), limit=3_000)
    assert len(summary) <= 3_000 and summary.rstrip().endswith(HOW_TO_PROCEED[-1])


def test_messages_keep_code_spans_and_stay_inert() -> None:
    assert escape_message("secret in `TOKEN`; @team see") == "secret in `TOKEN`; @\u200dteam see"
    assert escape_message("odd ` tick <b>") == "odd \\` tick &lt;b&gt;"
    assert escape_message("`a``b` x") == "`a``b` x"  # one code span: nothing in it renders


def test_details_explain_every_domain(repo: RepoBuilder) -> None:
    out = render_details(_report(repo))
    for d in DOMAIN_ORDER:
        assert f"### {d.value}:" in out
    assert "-" in out and "S602" in out


def test_text_report_lists_new_findings_and_the_verdict(repo: RepoBuilder) -> None:
    report = _report(repo)
    out = render_text(report)
    assert "FAIL" in out and "b|pipe.py:6: S602 subprocess-popen-with-shell-equals-true" in out
    coloured = render_text(report, colour=True)
    assert "\033[31mhigh\033[0m" in coloured and "\033" not in out


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


def test_a_metric_blocker_names_each_unit_with_a_link(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"README.md": "# x\n\n## Install\n\npip\n\n## Usage\n\nrun\n",
                                "app/core.py": '"""Core."""\n\n\ndef run() -> int:\n    """Run."""\n    return 1\n'})
    head = repo.commit("strip", {"app/core.py": '"""Core."""\n\n\ndef run() -> int:\n    return 1\n'})
    report = run_audit(repo, base, head)
    out = render_markdown(report, "https://github.com/acme/shop")
    blocking = out[out.index("### Blocking"):out.index("How to proceed")]
    assert "- **docs**: docstring coverage of the code this change added or changed is 0% (0 of 1), below" in blocking
    assert (f"  - `run` in `app/core.py` has no docstring "
            f"([`app/core.py`](https://github.com/acme/shop/blob/{report.head}/app/core.py))") in blocking
