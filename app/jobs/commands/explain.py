"""`/audit explain`: a check's documentation, or a domain's breakdown at the pull request's head."""

from __future__ import annotations

import re
import subprocess

from app.checks.registry import checks_by_code
from app.checks.ruff_rules import is_ruff_code, ruff_rule
from app.engine.model import Domain, Finding
from app.engine.report import Report
from app.engine.ruff import ruff_binary
from app.engine.scoring_docs import domain_doc
from app.jobs.acceptances import new_in, result_of
from app.jobs.commands import text
from app.report.escape import ZWJ, escape_untrusted

DOMAINS = ", ".join(f"`{d.value}`" for d in Domain)
LISTED_FINDINGS = 20
RUFF_TIMEOUT = 10.0
_CODE = re.compile(r"[A-Z]{1,8}[0-9]{1,5}")


def domain_named(name: str) -> Domain | None:
    """Return the domain a user named, in any case."""
    try:
        return Domain(name.lower())
    except ValueError:
        return None


def explain_code(topic: str) -> str | None:
    """Return the documentation of a Verity check or a ruff rule, or None for an unknown code."""
    code = topic.upper()
    check = checks_by_code().get(code)
    if check is not None:
        rule = check.rule
        return text.CHECK_DOC.format(code=rule.code, name=rule.name, domain=rule.domain.value,
                                     severity=rule.severity.value, doc=rule.doc.strip())
    if _CODE.fullmatch(code) and is_ruff_code(code):
        domain, severity = ruff_rule(code)
        return text.RUFF_DOC.format(code=code, domain=domain.value, severity=severity.value, doc=ruff_doc(code))
    return None


def ruff_doc(code: str) -> str:
    """Return ruff's own documentation of a rule, without its title, or a pointer when ruff has none."""
    try:
        out = subprocess.run([ruff_binary(), "rule", code], capture_output=True, text=True,
                             timeout=RUFF_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return text.RUFF_DOC_MISSING.format(code=code)
    lines = out.stdout.strip().splitlines()
    if out.returncode or not lines:
        return text.RUFF_DOC_MISSING.format(code=code)
    return "\n".join(lines[1:]).strip() if lines[0].startswith("# ") else "\n".join(lines)


def _score(value: float | None) -> str:
    """Format a score, or n/a."""
    return "n/a" if value is None else f"{value:.1f}"


def _finding(finding: Finding) -> str:
    """Return one finding as a line of the breakdown, its repository-sourced text escaped."""
    return text.BREAKDOWN_FINDING.format(severity=finding.severity.value, rule=finding.rule,
                                         name=escape_untrusted(finding.name),
                                         location=finding.location.replace("`", "'"),
                                         message=escape_untrusted(finding.message))


def _findings(title: str, findings: list[Finding]) -> list[str]:
    """Return a titled list of findings, capped."""
    if not findings:
        return []
    lines = ["", title.format(count=len(findings)), ""] + [_finding(f) for f in findings[:LISTED_FINDINGS]]
    if len(findings) > LISTED_FINDINGS:
        lines.append(text.BREAKDOWN_MORE.format(count=len(findings) - LISTED_FINDINGS))
    return lines


def breakdown(report: Report, domain: Domain) -> str:
    """Return a domain's breakdown at a report's head: scores, the gate, each step of the delta."""
    result = result_of(report, domain)
    delta = "n/a" if result.delta is None else f"{result.delta:+.1f}"
    lines = [text.BREAKDOWN_TITLE.format(domain=domain.value, sha=report.head[:12], base=_score(result.base),
                                         head=_score(result.head), delta=delta, verdict=result.verdict), ""]
    lines += [text.BREAKDOWN_GATE.format(reason=escape_untrusted(r)) for r in result.reasons]
    if result.accepted_by:
        # The reply is a comment: break the acceptor's mention so explaining never pings them.
        lines += ["", text.BREAKDOWN_ACCEPTED.format(who=result.accepted_by.replace("@", "@" + ZWJ, 1))]
    steps = [f"- {escape_untrusted(e.render())}" for e in result.explanation]
    lines += ["", text.BREAKDOWN_STEPS, "", *steps] if steps else ["", text.BREAKDOWN_NO_STEPS]
    lines += _findings(text.BREAKDOWN_NEW, new_in(report, domain))
    lines += _findings(text.BREAKDOWN_FIXED, [f for f in report.fixed_findings() if f.domain is domain])
    lines += ["", text.BREAKDOWN_DOC.format(domain=domain.value, doc=domain_doc(domain))]
    return "\n".join(lines) + "\n"
