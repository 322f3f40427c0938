"""The repository report's renderers, called as the push check run and the trend page will call them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from app.engine.cache import MemoryFactsCache
from app.engine.standing import Standing, standing_at
from app.gitrepo.repo import GitRepo
from app.report.standing_html import render_standing_html
from app.report.standing_json import standing_json
from app.report.standing_markdown import md_code, md_text, render_standing_markdown, standing_table, standing_title
from app.report.standing_text import render_standing_text
from tests.conftest import RepoBuilder

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "standing.schema.json").read_text(encoding="utf-8"))
REASON = "<img src=x onerror=alert(1)> fixture | not `real`"
SUPPRESSED = (
    'import subprocess\n\n\ndef run(cmd: str) -> int:\n    """Run."""\n    code = len(cmd)\n'
    f"    return subprocess.call(cmd, shell=True) + code  # verity: ignore[S602] {REASON}\n"
)


@pytest.fixture
def standing(repo: RepoBuilder) -> Standing:
    """Return the standing of a commit whose only finding is suppressed with a hostile reason."""
    sha = repo.commit("one", {"tool/run.py": SUPPRESSED, "README.md": "# Tool\n"})
    return standing_at(GitRepo(repo.root), sha, MemoryFactsCache())


def test_the_markdown_table_is_a_check_run_summary(standing: Standing) -> None:
    table = standing_table(standing)
    assert table[:2] == ["| Domain | Score | Findings | Metrics |", "|---|---:|---|---|"]
    assert len(table) == 2 + 10 + 1 and table[-1].startswith(f"| **overall** | **{standing.overall:.1f}** |")
    assert standing_title(standing) == f"Overall {standing.overall:.1f}/100"


def test_hostile_reasons_are_escaped_in_every_format(standing: Standing) -> None:
    assert [(s.finding.rule, s.reason) for s in standing.suppressions] == [("S602", REASON)]
    html = render_standing_html(standing, "test")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    markdown = render_standing_markdown(standing)
    assert "<img" not in markdown and md_text(REASON) in markdown
    assert "1 finding suppressed inline" in render_standing_text(standing)
    data = standing_json(standing, "test")
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert data["suppressions"] == [{"rule": "S602", "path": "tool/run.py", "line": 7, "reason": REASON}]


def test_markdown_code_spans_survive_backticks_and_pipes() -> None:
    assert md_code("a`b|c") == "``a`b\\|c``"
    assert md_code("`x`") == "`` `x` ``"
    assert re.fullmatch(r"[^<>]*", md_text("<b>x</b>"))
