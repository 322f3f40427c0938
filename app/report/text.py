"""The text report, for terminals: the findings first, then the domains; lines fit 100 columns."""

from __future__ import annotations

import textwrap

from app.engine.model import Finding, Severity
from app.engine.report import IMPROVED, REGRESSED, WORSE, Report
from app.report.markdown import title

WIDTH = 100
_RESET = "\033[0m"
_COLOURS = {
    Severity.CRITICAL: "\033[1;31m", Severity.HIGH: "\033[31m", Severity.MEDIUM: "\033[33m", Severity.LOW: "\033[36m",
    REGRESSED: "\033[1;31m", WORSE: "\033[33m", IMPROVED: "\033[32m", "pass": "\033[32m", "FAIL": "\033[1;31m",
}


def _fmt(value: float | None, signed: bool = False) -> str:
    """Format a score, a delta or n/a."""
    if value is None:
        return "n/a"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


class _Painter:
    """Colour words on a terminal, and leave them alone anywhere else."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, key: object) -> str:
        """Return text in the colour of a severity or verdict (padding stays outside the colour)."""
        code = _COLOURS.get(key) if self.colour else None  # type: ignore[call-overload]
        if code is None:
            return text
        stripped = text.rstrip(" ")
        return f"{code}{stripped}{_RESET}{text[len(stripped):]}"


def render_text(report: Report, colour: bool = False) -> str:
    """Return the report for a terminal: findings first with counts by severity, then the domain table."""
    paint = _Painter(colour)
    lines = _fit(f"Verity {report.base[:12]}..{report.head[:12]}: {title(report)}")
    lines += [_counts(report), ""]
    blocking = report.blocking_findings()
    keys = {f.fingerprint for f in blocking}
    others = [f for f in report.new_findings() if f.fingerprint not in keys]
    if blocking:
        lines.append(f"blocking ({len(blocking)}):")
        lines += [line for f in blocking for line in _finding(f, paint)]
    metric_reasons = [r for d in report.domains if d.blocking for r in d.structured if r.kind == "metric"]
    for reason in metric_reasons:
        lines += _fit(reason.text, "  ", "    ")
    if others:
        lines += ["", f"new findings ({len(others)}):"] if blocking or metric_reasons else [
            f"new findings ({len(others)}):"]
        lines += [line for f in others for line in _finding(f, paint)]
    lines += ["", f"{'domain':<15} {'base':>6} {'head':>6} {'delta':>6}  {'verdict':<10} why"]
    for d in report.domains:
        row = f"{d.domain.value:<15} {_fmt(d.base):>6} {_fmt(d.head):>6} {_fmt(d.delta, True):>6}  "
        why = _clip(d.why, WIDTH - len(row) - 11)
        lines.append((row + paint(f"{d.verdict:<10}", d.verdict) + (f" {why}" if why else "")).rstrip())
    verdict = "pass" if report.passed else "FAIL"
    lines.append(f"{'overall':<15} {_fmt(report.overall_base):>6} {_fmt(report.overall_head):>6} "
                 f"{_fmt(report.overall_delta, True):>6}  {paint(verdict, verdict)}")
    for d in report.domains:
        if d.explanation:
            lines += ["", f"{d.domain.value}:"]
            lines += [line for e in d.explanation for line in _fit(e.render(), "  ", "        ")]
    lines += _tail(report)
    return "\n".join(lines) + "\n"


def _counts(report: Report) -> str:
    """Return the count of new findings by severity, and of fixed ones."""
    new = report.new_findings()
    by = [f"{sum(1 for f in new if f.severity is s)} {s.value}" for s in reversed(Severity)
          if any(f.severity is s for f in new)]
    detail = f" ({', '.join(by)})" if by else ""
    return f"new findings: {len(new)}{detail}; fixed: {len(report.fixed_findings())}"


def _finding(f: Finding, paint: _Painter) -> list[str]:
    """Return one finding: severity, location, code and name, then its message wrapped below."""
    rest = _clip(f" {f.location}: {f.rule} {f.name}", WIDTH - 10)
    return [f"  {paint(f'{f.severity.value:<8}', f.severity)}{rest}", *_fit(f.message, " " * 11, " " * 11)]


def _tail(report: Report) -> list[str]:
    """Return the suppressions, the skipped files and the notes."""
    lines: list[str] = []
    if report.suppressions:
        lines += ["", f"suppressed inline ({len(report.suppressions)}):"]
        lines += [line for s in report.suppressions
                  for line in _fit(f"{s.finding.location}: {s.finding.rule} ({s.reason})", "  ", "    ")]
    if report.skipped:
        lines += ["", f"skipped files: {len(report.skipped)}"]
    lines += [line for note in report.notes for line in _fit(f"note: {note}", "", "  ")]
    return lines


def _fit(text: str, first: str = "", rest: str = "") -> list[str]:
    """Wrap text to the width; a word longer than a line (a path, a URL) is cut."""
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=True, break_on_hyphens=False) or [first.rstrip()]


def _clip(text: str, width: int) -> str:
    """Cut text to a width, marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
