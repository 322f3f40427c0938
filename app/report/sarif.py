"""SARIF 2.1.0 output: the new findings only."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from app.checks.registry import checks_by_code
from app.engine.model import Finding, Severity
from app.engine.report import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.LOW: "note", Severity.MEDIUM: "warning", Severity.HIGH: "error", Severity.CRITICAL: "error"}


def render_sarif(report: Report, version: str) -> str:
    """Return the new findings as a SARIF 2.1.0 log."""
    new = report.new_findings()
    codes = sorted({f.rule for f in new})
    rules = [_rule(code, next(f for f in new if f.rule == code)) for code in codes]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "verity", "version": version, "rules": rules}},
        "results": [_result(f, codes.index(f.rule)) for f in new],
        "versionControlProvenance": [{"repositoryUri": "file:///", "revisionId": report.head}],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def _rule(code: str, example: Finding) -> dict[str, Any]:
    """Return a SARIF reportingDescriptor for a code."""
    check = checks_by_code().get(code)
    summary = check.rule.summary if check else f"ruff rule {code}"
    return {
        "id": code,
        "name": example.name,
        "shortDescription": {"text": summary},
        "properties": {"domain": example.domain.value, "severity": example.severity.value},
    }


def _result(f: Finding, index: int) -> dict[str, Any]:
    """Return a SARIF result for one finding."""
    region: dict[str, Any] = {"startLine": max(f.line, 1), "endLine": max(f.end_line, f.line, 1)}
    return {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(f.path)}, "region": region}}],
        "partialFingerprints": {"verity/v1": f.fingerprint},
    }
