"""SARIF 2.1.0 output for GitHub code scanning: the new findings, or with `everything` every finding at head.

GitHub takes at most 25,000 results per run (and 20 runs, 1,000 locations per result, 10 MB gzipped):
results are ordered by severity, cut at the limit, and the run says so in a notification.
"""

from __future__ import annotations

import functools
import json
import subprocess
from typing import Any
from urllib.parse import quote

from app.checks.registry import checks_by_code
from app.checks.ruff_rules import is_ruff_code
from app.engine.model import Domain, Finding, Severity
from app.engine.report import Report
from app.engine.ruff import ruff_binary

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/apps/verity"
RUFF_RULE_URI = "https://docs.astral.sh/ruff/rules/{name}/"
AUTOMATION_ID = "verity/audit/"
MAX_RESULTS = 25_000  # GitHub code scanning's limit per run
RUFF_TIMEOUT = 30
_LEVEL = {Severity.LOW: "note", Severity.MEDIUM: "warning", Severity.HIGH: "error", Severity.CRITICAL: "error"}
# GitHub maps security-severity to its own levels: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, else low.
_SECURITY_SEVERITY = {Severity.LOW: "2.0", Severity.MEDIUM: "5.5", Severity.HIGH: "8.0", Severity.CRITICAL: "9.5"}
_BASELINE = {"new": "new", "unchanged": "unchanged", "fixed": "absent"}


def render_sarif(report: Report, version: str, everything: bool = False) -> str:
    """Return a SARIF 2.1.0 log: the new findings, or with `everything` each finding at head and each fixed one."""
    findings = _ordered(report, everything)
    kept = findings[:MAX_RESULTS]
    codes = sorted({f.rule for f in kept})
    examples = {f.rule: f for f in reversed(kept)}
    rules = [_rule(code, examples[code]) for code in codes]
    driver: dict[str, Any] = {
        "name": "Verity", "version": version, "semanticVersion": version if _semantic(version) else None,
        "informationUri": INFORMATION_URI, "rules": rules,
    }
    run: dict[str, Any] = {
        "tool": {"driver": {k: v for k, v in driver.items() if v is not None}},
        "automationDetails": {"id": AUTOMATION_ID},
        "results": [_result(f, codes.index(f.rule), everything) for f in kept],
        "columnKind": "unicodeCodePoints",
    }
    if len(findings) > len(kept):
        run["invocations"] = [_capped(len(findings), len(kept))]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def _ordered(report: Report, everything: bool) -> list[Finding]:
    """Return the findings to emit, highest severity first."""
    found = report.new_findings()
    if everything:
        found = found + list(report.unchanged) + report.fixed_findings()
    return sorted(found, key=lambda f: (-f.severity.rank, f.status != "new", f.path, f.line, f.rule))


def _semantic(version: str) -> bool:
    """Return whether a version string is a plain semantic version (`1.2.3`)."""
    parts = version.split(".")
    return len(parts) == 3 and all(p.isdigit() for p in parts)


def _capped(total: int, kept: int) -> dict[str, Any]:
    """Return the invocation that says the results were cut at GitHub's limit."""
    text = (f"{total} findings; only the {kept} most severe are listed (GitHub code scanning takes at most "
            f"{MAX_RESULTS} results per run). `verity audit --format json` lists every one.")
    notification = {"level": "warning", "message": {"text": text}}
    return {"executionSuccessful": True, "toolExecutionNotifications": [notification]}


def _rule(code: str, example: Finding) -> dict[str, Any]:
    """Return a SARIF reportingDescriptor for a code: descriptions and help from its documentation."""
    summary, doc, uri = _documentation(code, example)
    descriptor: dict[str, Any] = {
        "id": code,
        "name": _pascal(example.name) or code,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": _first_paragraph(doc) or summary},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": _LEVEL[example.severity]},
        "properties": {"domain": example.domain.value, "severity": example.severity.value,
                       "tags": [example.domain.value]},
    }
    if uri:
        descriptor["helpUri"] = uri
    if example.domain is Domain.SECURITY:
        descriptor["properties"]["security-severity"] = _SECURITY_SEVERITY[example.severity]
        descriptor["properties"]["tags"] = ["security", *_cwe_tags(doc)]
    return descriptor


def _documentation(code: str, example: Finding) -> tuple[str, str, str]:
    """Return a rule's summary, its markdown documentation and its help address (ruff rules only)."""
    check = checks_by_code().get(code)
    if check is not None:
        return check.rule.summary, check.rule.doc, ""
    ruff = _ruff_rules().get(code) if is_ruff_code(code) else None
    if ruff is not None:
        name = str(ruff.get("name") or example.name)
        doc = str(ruff.get("explanation") or "").strip() or f"ruff rule {code} ({name})"
        return str(ruff.get("summary") or name), doc, RUFF_RULE_URI.format(name=name)
    return f"ruff rule {code}", f"ruff rule {code} ({example.name})", ""


@functools.cache
def _ruff_rules() -> dict[str, dict[str, Any]]:
    """Return ruff's documentation of every rule by code, asked once per process (empty if ruff fails)."""
    try:
        out = subprocess.run([ruff_binary(), "rule", "--all", "--output-format", "json"], capture_output=True,
                             text=True, timeout=RUFF_TIMEOUT, check=False)
        rules = json.loads(out.stdout) if out.returncode == 0 else []
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return {}
    return {str(r["code"]): r for r in rules if isinstance(r, dict) and "code" in r}


def _first_paragraph(doc: str) -> str:
    """Return a documentation's first paragraph of prose, skipping headings such as `## What it does`."""
    paragraph: list[str] = []
    for line in doc.strip().splitlines():
        text = line.strip()
        if text.startswith("#") or (not text and not paragraph):
            continue
        if not text:
            break
        paragraph.append(text)
    return " ".join(paragraph)


def _cwe_tags(doc: str) -> list[str]:
    """Return the CWE tags a documentation names (`CWE-798` -> `external/cwe/cwe-798`), as GitHub reads them."""
    words = doc.replace("(", " ").replace(")", " ").replace(",", " ").split()
    cwes = sorted({w.rstrip(".:;").lower() for w in words if w.upper().startswith("CWE-")})
    return [f"external/cwe/{c}" for c in cwes if c[4:].isdigit()]


def _pascal(name: str) -> str:
    """Return a kebab-case rule name in PascalCase, as SARIF recommends for `name`."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-") if part.isalnum())


def _result(f: Finding, index: int, everything: bool) -> dict[str, Any]:
    """Return a SARIF result for one finding."""
    region: dict[str, Any] = {"startLine": max(f.line, 1), "endLine": max(f.end_line, f.line, 1)}
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message or f.name},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(f.path)}, "region": region}}],
        "partialFingerprints": {"verity/v1": f.fingerprint},
    }
    if everything:
        result["baselineState"] = _BASELINE.get(f.status, "unchanged")
    return result
