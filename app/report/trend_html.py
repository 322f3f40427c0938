"""The trend page: each domain's score over the default branch's history, the latest table, the commits.

One self-contained HTML document (inline CSS, an inline SVG line chart, no script, no external asset).
Every string recorded from the repository or its payload (name, URL, branch) is escaped: it is hostile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from app.report.evidence import score_text
from app.report.history import DOMAIN_NAMES, HistoryEntry, RepoRecord
from app.report.standing_html import STYLE, grade

CHART_W, CHART_H = 960, 380
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 34
LISTED_COMMITS = 50
# Ten distinguishable line colours, one per domain, in DOMAIN_ORDER; the overall line is black and thick.
LINE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                "#ff7f0e", "#7f7f7f")
OVERALL_COLOUR = "#1a202c"
NOT_SCORED = ' <span class="na">n/a</span>'

TREND_STYLE = STYLE + """
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; }
.swatch { display: inline-block; width: 14px; height: 4px; vertical-align: middle; margin-right: 5px; }
.chart svg { max-width: 960px; }
table.commits th, table.commits td { font-size: 12px; padding: 4px 6px; }
.wide { overflow-x: auto; } table.commits td:first-child { white-space: nowrap; }
.legend .na { color: var(--na); }
"""


def render_trend_html(record: RepoRecord, entries: Sequence[HistoryEntry], verity_version: str) -> str:
    """Return the trend page of a repository."""
    name = escape(record.full_name)
    body = [
        _header(record),
        f'<section class="chart" id="trend"><h2>Scores over the last {len(entries):,} audited commits</h2>'
        f"{trend_chart(record, entries)}{_legend(entries)}</section>",
        _latest_table(record),
        _commits(record, entries),
        f"<footer>Verity {escape(verity_version)}. One point per audited commit of <code>"
        f"{escape(record.branch)}</code>, oldest on the left; scores are 0 to 100, computed from evidence "
        "(<code>verity explain DOMAIN</code> documents each formula).</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Verity trend: {name}</title><style>{TREND_STYLE}</style></head>\n<body><main>\n"
        + "\n".join(body)
        + "\n</main></body></html>\n"
    )


def _header(record: RepoRecord) -> str:
    """Return the page header: the repository, its branch and the latest overall score."""
    url = record.commit_url(record.latest.sha)
    repo = escape(record.full_name)
    if url:
        repo = f'<a href="{escape(record.html_url)}">{repo}</a>'
    return (
        f"<header><div><h1>{repo}</h1>"
        f'<p class="meta">default branch <code>{escape(record.branch)}</code> · latest commit '
        f"{_sha_link(record, record.latest.sha)}</p></div>"
        f'<div class="overall"><span class="big {grade(record.latest.overall)}">'
        f"{score_text(record.latest.overall)}</span><div>/100 overall</div></div></header>"
    )


def trend_chart(record: RepoRecord, entries: Sequence[HistoryEntry]) -> str:
    """Return the inline SVG line chart: one line per domain and a thick overall line, x = commit order."""
    low = axis_floor(entries)
    title = f"Score of each domain per commit, {low} to 100"
    parts = [f'<svg viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="{title}"><title>{title}</title>',
             _grid(entries, low)]
    for index, domain in enumerate(DOMAIN_NAMES):
        parts.append(_line(entries, domain, LINE_COLOURS[index], 1.6, f"line-{domain}", low))
    parts.append(_line(entries, None, OVERALL_COLOUR, 3.0, "line-overall", low))
    parts.append(_points(record, entries, low))
    parts.append("</svg>")
    return "".join(parts)


def _x(index: int, count: int) -> float:
    """Return the x of the index-th commit of count."""
    width = CHART_W - LEFT - RIGHT
    return LEFT + (width / 2 if count < 2 else width * index / (count - 1))


def axis_floor(entries: Sequence[HistoryEntry]) -> int:
    """Return the score at the chart's bottom: 0, or a multiple of 10 below every score when all are high.

    Scores of a healthy repository sit near 100, where a 0-to-100 axis would draw every line on top
    of the others; the axis starts low enough to show every point, and says where it starts.
    """
    scores = [s for e in entries for s in (e.overall, *e.scores) if s is not None]
    if not scores:
        return 0
    return max(0, min(80, int(math.floor((min(scores) - 2.0) / 10.0) * 10)))


def _y(score: float, low: int) -> float:
    """Return the y of a score on an axis from `low` to 100."""
    clamped = max(float(low), min(score, 100.0))
    return TOP + (CHART_H - TOP - BOTTOM) * (100.0 - clamped) / (100.0 - low)


def _grid(entries: Sequence[HistoryEntry], low: int) -> str:
    """Return the horizontal grid with its score labels, and the first and last commits' dates."""
    parts = []
    for tick in sorted({round(low + (100 - low) * i / 4, 1) for i in range(5)}):
        y = _y(tick, low)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{CHART_W - RIGHT}" y2="{y:.1f}" stroke="#d9dee5"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" fill="#5a6472" '
                     f'text-anchor="end">{tick:g}</text>')
    if entries:
        ends = [(0, "start"), (len(entries) - 1, "end")] if len(entries) > 1 else [(0, "middle")]
        for index, anchor in ends:
            parts.append(f'<text x="{_x(index, len(entries)):.1f}" y="{CHART_H - 10}" font-size="11" '
                         f'fill="#5a6472" text-anchor="{anchor}">{_date(entries[index].committed_at)} '
                         f"{entries[index].sha[:7]}</text>")
    return "".join(parts)


def _line(entries: Sequence[HistoryEntry], domain: str | None, colour: str, width: float, css_id: str,
          low: int) -> str:
    """Return one score's polyline, broken where the score is n/a."""
    runs: list[list[str]] = [[]]
    for index, entry in enumerate(entries):
        score = entry.score(domain)
        if score is None:
            runs.append([])
            continue
        runs[-1].append(f"{_x(index, len(entries)):.1f},{_y(score, low):.1f}")
    lines = "".join(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="{width}" '
                    'stroke-linejoin="round"/>' for run in runs if len(run) > 1)
    dots = "".join(f'<circle cx="{run[0].split(",")[0]}" cy="{run[0].split(",")[1]}" r="2.5" fill="{colour}"/>'
                   for run in runs if len(run) == 1)
    return f'<g id="{css_id}">{lines}{dots}</g>'


def _points(record: RepoRecord, entries: Sequence[HistoryEntry], low: int) -> str:
    """Return the overall score's points, each linking to its commit, with a tooltip."""
    if len(entries) > 200:  # past this the points are a smear; the commit table carries the links
        return ""
    parts = []
    for index, entry in enumerate(entries):
        if entry.overall is None:
            continue
        dot = (f'<circle cx="{_x(index, len(entries)):.1f}" cy="{_y(entry.overall, low):.1f}" r="3.5" '
               f'fill="{OVERALL_COLOUR}"><title>{entry.sha[:12]}: overall {score_text(entry.overall)}</title>'
               "</circle>")
        url = record.commit_url(entry.sha)
        parts.append(f'<a href="{escape(url)}">{dot}</a>' if url else dot)
    return "".join(parts)


def _legend(entries: Sequence[HistoryEntry]) -> str:
    """Return the legend: overall first, then each domain's colour (and `n/a` for a domain never scored)."""
    items = [f'<li><span class="swatch" style="background:{OVERALL_COLOUR}"></span><strong>overall</strong></li>']
    for index, name in enumerate(DOMAIN_NAMES):
        never = NOT_SCORED if all(entry.score(name) is None for entry in entries) else ""
        items.append(f'<li><span class="swatch" style="background:{LINE_COLOURS[index]}"></span>{name}{never}</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'


def _latest_table(record: RepoRecord) -> str:
    """Return the latest report's table: each domain's score, findings and metrics."""
    rows = "".join(
        f'<tr><td>{escape(row.domain)}</td><td class="num score {grade(row.score)}">{escape(row.label)}</td>'
        f"<td>{escape(row.findings)}</td><td>{escape(row.metrics)}</td></tr>"
        for row in record.table
    )
    overall = record.latest.overall
    return (
        f'<section id="latest"><h2>Latest report ({_sha_link(record, record.latest.sha)})</h2><table>'
        '<thead><tr><th>Domain</th><th class="num">Score</th><th>Findings</th><th>Metrics</th></tr></thead>'
        f'<tbody>{rows}<tr><td><strong>overall</strong></td><td class="num score {grade(overall)}">'
        f"{score_text(overall)}</td><td></td><td></td></tr></tbody></table></section>"
    )


def _commits(record: RepoRecord, entries: Sequence[HistoryEntry]) -> str:
    """Return the newest commits, newest first, with each score and a link to the commit."""
    head = "".join(f'<th class="num">{name}</th>' for name in DOMAIN_NAMES)
    rows = []
    for entry in list(reversed(entries))[:LISTED_COMMITS]:
        cells = "".join(f'<td class="num {grade(s)}">{score_text(s)}</td>' for s in entry.scores)
        rows.append(f"<tr><td>{_sha_link(record, entry.sha)}</td><td>{_date(entry.committed_at)}</td>"
                    f'<td class="num score {grade(entry.overall)}">{score_text(entry.overall)}</td>{cells}</tr>')
    return (
        f'<section id="commits"><h2>Commits (newest {min(len(entries), LISTED_COMMITS):,})</h2>'
        '<div class="wide"><table class="commits"><thead><tr><th>Commit</th><th>Committed (UTC)</th>'
        '<th class="num">overall</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _sha_link(record: RepoRecord, sha: str) -> str:
    """Return a short SHA linking to its commit on GitHub (plain code when no safe link can be made)."""
    code = f"<code>{escape(sha[:12])}</code>"
    url = record.commit_url(sha)
    return f'<a href="{escape(url)}">{code}</a>' if url else code


def _date(timestamp: int) -> str:
    """Return a commit time as a UTC date and time."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M")
