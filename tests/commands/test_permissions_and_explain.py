"""Roles from the permission endpoint's answers; explaining codes and domains."""

from __future__ import annotations

import pytest

from app.engine.model import Domain
from app.jobs.commands import text
from app.jobs.commands.explain import breakdown, domain_named, explain_code
from app.jobs.commands.permissions import can_write, role_from, valid_login
from app.report.escape import escape_untrusted
from tests.commands.reports import finding, report


@pytest.mark.parametrize(("answer", "role", "writes"), [
    ({"permission": "read", "role_name": "read"}, "read", False),
    ({"permission": "read", "role_name": "triage"}, "triage", False),
    ({"permission": "write", "role_name": "write"}, "write", True),
    ({"permission": "write", "role_name": "maintain"}, "maintain", True),
    ({"permission": "admin", "role_name": "admin"}, "admin", True),
    ({"permission": "write", "role_name": "security-reviewer"}, "write", True),  # a custom role: its base
    ({"permission": "read", "role_name": "auditor"}, "read", False),
    ({"permission": "none"}, "none", False),
    ({"permission": "superuser"}, "none", False),
    (None, "none", False),
])
def test_roles_come_from_role_name_else_the_base_permission(answer: object, role: str, writes: bool) -> None:
    assert role_from(answer) == role
    assert can_write(role) is writes


@pytest.mark.parametrize(("login", "valid"), [
    ("octocat", True), ("a-b-c", True), ("dependabot[bot]", True), ("", False), ("../admin", False),
    ("a/b", False), ("x" * 40, False), ("name?q=1", False),
])
def test_only_login_shaped_names_reach_the_url(login: str, valid: bool) -> None:
    assert valid_login(login) is valid


def test_explain_finds_checks_ruff_rules_and_domains_in_any_case() -> None:
    assert (explain_code("sec001") or "").startswith("### SEC001 `hardcoded-secret`")
    ruff = explain_code("s602") or ""
    assert ruff.startswith(text.RUFF_DOC.split("{doc}")[0].format(code="S602", domain="security", severity="high"))
    assert "## What it does" in ruff
    assert explain_code("NOPE123") is None and explain_code("S602; rm -rf /") is None
    assert domain_named("Security") is Domain.SECURITY and domain_named("securities") is None


def test_breakdown_shows_scores_steps_findings_and_escapes_repository_text() -> None:
    hostile = finding("fp", message="@org/team <img src=x> [a](https://e.x)")
    result = breakdown(report(77.9, [hostile], accepted_by="@wendy: ok"), Domain.SECURITY)
    lines = result.splitlines()
    assert lines[0] == text.BREAKDOWN_TITLE.format(domain="security", sha="h" * 12, base="100.0", head="77.9",
                                                   delta="-22.1", verdict="accepted")
    assert text.BREAKDOWN_GATE.format(reason="security: 1 new high finding") in lines
    assert f"- {escape_untrusted('-5.0 S602 subprocess-popen-with-shell-equals-true demo/shell.py:8 (high)')}" in lines
    assert escape_untrusted(hostile.message) in result and "<img" not in result.split("<details>")[0]
    assert "@wendy" not in result and "@\u200dwendy: ok" in result
    assert "<details><summary>How the security score is computed</summary>" in result
    quiet = breakdown(report(100.0, [], regressed=False), Domain.DOCS)
    assert text.BREAKDOWN_NO_STEPS in quiet
