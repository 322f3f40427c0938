"""The repository report as one self-contained HTML page: inline CSS, an inline SVG chart, no external assets.

Every string that comes from the repository (paths, messages, labels, reasons) is escaped: it is hostile.
"""

from __future__ import annotations

from html import escape

from app.engine.model import Finding
from app.engine.standing import DomainStanding, MetricStanding, Standing
from app.report.evidence import (
    BAD_MARK,
    GOOD_MARK,
    SHOWN_UNITS,
    TOP_FINDINGS,
    cost_text,
    domain_summary,
    findings_summary,
    global_not_judged,
    one_line,
    ratio_counts,
    rules_summary,
    score_label,
    score_text,
    share_label,
    skipped_by_reason,
    unit_name,
)

SHOWN_PATHS = 20
BAR_ROW, BAR_LABEL, BAR_WIDTH = 28, 130, 520

STYLE = """
:root { --fg: #1a202c; --muted: #5a6472; --line: #d9dee5; --good: #2f855a; --fair: #b7791f; --poor: #c53030;
        --na: #8a94a3; --bg-soft: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
       font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; }
header { display: flex; justify-content: space-between; align-items: flex-end; gap: 24px;
         border-bottom: 2px solid var(--line); padding-bottom: 12px; }
h1 { font-size: 26px; margin: 0; }
h2 { font-size: 19px; margin: 28px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.meta { color: var(--muted); margin: 4px 0 0; }
.overall { text-align: right; }
.overall .big { font-size: 44px; font-weight: 700; line-height: 1; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--bg-soft); font-size: 13px; }
td.num, th.num { text-align: right; white-space: nowrap; }
.score { font-weight: 700; }
.good { color: var(--good); } .fair { color: var(--fair); } .poor { color: var(--poor); } .na { color: var(--na); }
section.domain { border-top: 1px solid var(--line); margin-top: 22px; }
section.domain h2 { display: flex; justify-content: space-between; }
.summary { color: var(--muted); margin: 2px 0 6px; }
ul { margin: 4px 0; padding-left: 20px; }
.check { display: inline-block; margin-right: 12px; white-space: nowrap; }
.ok { color: var(--good); } .missing { color: var(--poor); }
.sev { font-size: 12px; font-weight: 700; text-transform: uppercase; white-space: nowrap; }
.sev-critical, .sev-high { color: var(--poor); } .sev-medium { color: var(--fair); } .sev-low { color: var(--muted); }
table.findings { table-layout: fixed; }
table.findings td:nth-child(1) { width: 76px; } table.findings td:nth-child(2) { width: 32%; }
table.findings td:nth-child(3) { width: 24%; }
td a { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--muted); }
.chart svg { width: 100%; max-width: 720px; height: auto; }
footer { margin-top: 36px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 10px; }
@media print {
  @page { margin: 14mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.domain, .chart, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_standing_html(standing: Standing, verity_version: str) -> str:
    """Return the report as one HTML document that needs nothing but itself."""
    body = [
        _header(standing),
        f'<section class="chart"><h2>Scores by domain</h2>{score_chart(standing.domains)}</section>',
        _summary_table(standing),
        *(_domain_section(d) for d in standing.domains),
        _not_judged_section(standing),
        f"<footer>Verity {escape(verity_version)}. Every score is computed from the findings and metrics listed "
        "here; <code>verity explain DOMAIN</code> documents the formula.</footer>",
    ]
    title = f"Verity report {escape(standing.commit[:12])}: {score_text(standing.overall)}/100"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{STYLE}</style></head>\n<body><main>\n"
        + "\n".join(body)
        + "\n</main></body></html>\n"
    )


def grade(score: float | None) -> str:
    """Return the CSS class of a score: good, fair, poor or na."""
    if score is None:
        return "na"
    return "good" if score >= 90 else "fair" if score >= 75 else "poor"


_BAR_COLOURS = {"good": "#2f855a", "fair": "#b7791f", "poor": "#c53030", "na": "#8a94a3"}


def score_chart(domains: tuple[DomainStanding, ...]) -> str:
    """Return an inline SVG bar chart of the domain scores (n/a and disabled domains drawn as text)."""
    height = BAR_ROW * len(domains) + 24
    width = BAR_LABEL + BAR_WIDTH + 60
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Score of each domain, 0 to 100">',
             "<title>Score of each domain, 0 to 100</title>"]
    for tick in (0, 25, 50, 75, 100):
        x = BAR_LABEL + BAR_WIDTH * tick / 100
        parts.append(f'<line x1="{x:.0f}" y1="0" x2="{x:.0f}" y2="{height - 18}" stroke="#d9dee5"/>'
                     f'<text x="{x:.0f}" y="{height - 4}" font-size="11" fill="#5a6472" '
                     f'text-anchor="middle">{tick}</text>')
    for index, domain in enumerate(domains):
        parts.append(_bar(index, domain))
    parts.append("</svg>")
    return "".join(parts)


def _bar(index: int, domain: DomainStanding) -> str:
    """Return one domain's row of the chart."""
    y = index * BAR_ROW + 4
    label = (f'<text x="{BAR_LABEL - 8}" y="{y + 15}" font-size="13" text-anchor="end" '
             f'fill="#1a202c">{domain.domain.value}</text>')
    if domain.score is None:
        why = "n/a" if domain.enabled else "disabled"
        return label + f'<text x="{BAR_LABEL + 6}" y="{y + 15}" font-size="12" fill="#8a94a3">{why}</text>'
    length = BAR_WIDTH * max(domain.score, 0.0) / 100
    colour = _BAR_COLOURS[grade(domain.score)]
    return (label + f'<rect x="{BAR_LABEL}" y="{y}" width="{length:.1f}" height="20" rx="3" fill="{colour}"/>'
            f'<text x="{BAR_LABEL + length + 6:.1f}" y="{y + 15}" font-size="12" font-weight="700" '
            f'fill="#1a202c">{score_text(domain.score)}</text>')


def _header(standing: Standing) -> str:
    """Return the page header: commit, file count and the overall score."""
    return (
        "<header><div><h1>Verity report</h1>"
        f'<p class="meta">commit <code>{escape(standing.commit)}</code> · {standing.files:,} files analysed</p></div>'
        f'<div class="overall"><span class="big {grade(standing.overall)}">{score_text(standing.overall)}</span>'
        "<div>/100 overall</div></div></header>"
    )


def _summary_table(standing: Standing) -> str:
    """Return the table of every domain's score, findings and metrics."""
    rows = "".join(
        f'<tr><td><a href="#d-{d.domain.value}">{d.domain.value}</a></td>'
        f'<td class="num score {grade(d.score)}">{score_label(d)}</td>'
        f"<td>{escape(findings_summary(d))}</td><td>{_metric_cell(d)}</td></tr>"
        for d in standing.domains
    )
    return (
        '<section><h2>Summary</h2><table><thead><tr><th>Domain</th><th class="num">Score</th>'
        f"<th>Findings</th><th>Metrics</th></tr></thead><tbody>{rows}"
        f'<tr><td><strong>overall</strong></td><td class="num score {grade(standing.overall)}">'
        f"{score_text(standing.overall)}</td><td></td><td></td></tr></tbody></table></section>"
    )


def _metric_cell(domain: DomainStanding) -> str:
    """Return a domain's metrics as `name good/total`, one per line."""
    cells = [f"{escape(m.name)} {m.good}/{m.total}" for m in domain.metrics if m.units]
    return "<br>".join(cells) or "–"


def _domain_section(domain: DomainStanding) -> str:
    """Return one domain's evidence: summary, metrics, top findings and what it did not judge."""
    name = domain.domain.value
    parts = [
        f'<section class="domain" id="d-{name}"><h2><span>{name}</span>'
        f'<span class="score {grade(domain.score)}">{score_label(domain)}</span></h2>',
        f'<p class="summary">{escape(domain_summary(domain))}</p>',
    ]
    metrics = [m for m in domain.metrics if m.units]
    if metrics:
        parts.append("<h3>Metrics</h3><ul>" + "".join(f"<li>{_metric(m)}</li>" for m in metrics) + "</ul>")
    if domain.findings:
        heading = "Top findings" if len(domain.findings) > TOP_FINDINGS else "Findings"
        parts.append(f"<h3>{heading}</h3><p class=\"summary\">rules: {escape(rules_summary(domain))}</p>")
        parts.append(_findings_table(domain.top_findings(TOP_FINDINGS)))
        if len(domain.findings) > TOP_FINDINGS:
            parts.append(f'<p class="summary">… and {len(domain.findings) - TOP_FINDINGS:,} more findings</p>')
    if domain.not_judged:
        parts.append("<h3>Not judged</h3><ul>" + "".join(f"<li>{escape(w)}</li>" for w in domain.not_judged) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def _metric(metric: MetricStanding) -> str:
    """Return one metric: checklist units with marks, or a ratio with the units that are not good."""
    head = f"<strong>{escape(metric.name)}</strong> <span class=\"summary\">({escape(cost_text(metric))})</span>: "
    if metric.kind == "checklist":
        items = "".join(
            f'<span class="check {"ok" if unit.good else "missing"}">'
            f"{GOOD_MARK if unit.good else BAD_MARK} {escape(unit.label)}</span>"
            for unit in metric.units
        )
        return head + items
    text = head + escape(ratio_counts(metric))
    bad = metric.bad_units
    if bad:
        shown = ", ".join(f"<code>{escape(unit_name(metric, u))}</code>" for u in bad[:SHOWN_UNITS])
        more = f" and {len(bad) - SHOWN_UNITS:,} more" if len(bad) > SHOWN_UNITS else ""
        text += f"<br><span class=\"summary\">not {escape(share_label(metric))}: {shown}{more}</span>"
    return text


def _findings_table(findings: tuple[Finding, ...]) -> str:
    """Return findings as a table: severity, `path:line`, rule, message."""
    rows = "".join(
        f'<tr><td class="sev sev-{f.severity.value}">{f.severity.value}</td>'
        f"<td><code>{escape(f.location)}</code></td>"
        f"<td><code>{escape(f.rule)}</code> {escape(f.name)}</td><td>{escape(one_line(f.message))}</td></tr>"
        for f in findings
    )
    return f'<table class="findings"><tbody>{rows}</tbody></table>'


def _not_judged_section(standing: Standing) -> str:
    """Return what the whole report did not judge: skipped and excluded files, suppressions, notes."""
    items = [f"<li>{escape(item)}</li>" for item in global_not_judged(standing)]
    items = items or ["<li>nothing: every file was read</li>"]
    parts = ['<section><h2>Not judged</h2><ul>', *items, "</ul>"]
    for why, paths in skipped_by_reason(standing):
        parts.append(f"<h3>Skipped: {escape(why)}</h3>{_paths(paths)}")
    if standing.excluded:
        parts.append(f"<h3>Excluded by the policy</h3>{_paths(list(standing.excluded))}")
    if standing.suppressions:
        rows = "".join(
            f"<li><code>{escape(s.finding.location)}</code> {escape(s.finding.rule)}: {escape(s.reason)}</li>"
            for s in standing.suppressions
        )
        parts.append(f"<h3>Suppressed inline</h3><ul>{rows}</ul>")
    parts.append("</section>")
    return "".join(parts)


def _paths(paths: list[str]) -> str:
    """Return a short list of paths, with how many more there are."""
    shown = ", ".join(f"<code>{escape(p)}</code>" for p in paths[:SHOWN_PATHS])
    more = f" and {len(paths) - SHOWN_PATHS:,} more" if len(paths) > SHOWN_PATHS else ""
    return f'<p class="summary">{shown}{more}</p>'
