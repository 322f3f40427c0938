"""Small real reports for the command tests: one domain's result and its findings."""

from __future__ import annotations

from app.engine.model import Domain, Finding, Severity
from app.engine.report import DomainResult, Explanation, Report


def finding(fingerprint: str, severity: Severity = Severity.HIGH, domain: Domain = Domain.SECURITY,
            status: str = "new", path: str = "demo/shell.py", message: str = "shell=True") -> Finding:
    """Return a finding with a given fingerprint."""
    return Finding("S602", "subprocess-popen-with-shell-equals-true", domain, severity, path, 8, 8, message,
                   fingerprint, status=status)


def report(head: float | None, findings: list[Finding], regressed: bool = True,
           domain: Domain = Domain.SECURITY, accepted_by: str | None = None) -> Report:
    """Return a report where one domain scored `head` (from 100) and the others did not move."""
    results = []
    for d in Domain:
        mine = d is domain
        steps = tuple(Explanation(-5.0, f"{f.rule} {f.name} {f.location} ({f.severity.value})")
                      for f in findings if mine and f.status == "new")
        results.append(DomainResult(
            d, 100.0, head if mine else 100.0, regressed and mine, regressed and mine and accepted_by is None,
            sum(1 for f in findings if mine and f.status == "new"), 0, steps,
            (f"{d.value}: 1 new high finding",) if regressed and mine else (), accepted_by if mine else None,
        ))
    return Report("b" * 40, "h" * 40, not regressed, (), 95.0, 94.0, tuple(results), tuple(findings))
