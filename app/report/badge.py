"""A shields-style badge of a score, as SVG: a grey label, a coloured value, text with a soft shadow."""

from __future__ import annotations

from html import escape

from app.report.evidence import score_text

HEIGHT = 20
PADDING = 10  # pixels around each text
# Verdana 11px advance widths, roughly: shields.io measures text the same way, so badges line up.
NARROW, WIDE, DEFAULT_WIDTH = frozenset("iljtfI.,:;!|' ()/1"), frozenset("mwMW@%"), 7.0
COLOURS = ((90.0, "#4c1"), (75.0, "#dfb317"), (0.0, "#e05d44"))
NO_SCORE = "#9f9f9f"

TEMPLATE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}">'
    "<title>{title}</title>"
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
    '<stop offset="1" stop-opacity=".1"/></linearGradient>'
    '<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
    '<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
    '<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
    '<rect width="{width}" height="20" fill="url(#s)"/></g>'
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
    '<text x="{label_x}" y="15" fill="#010101" fill-opacity=".3">{label}</text>'
    '<text x="{label_x}" y="14">{label}</text>'
    '<text x="{value_x}" y="15" fill="#010101" fill-opacity=".3">{value}</text>'
    '<text x="{value_x}" y="14">{value}</text></g></svg>'
)


def text_width(text: str) -> float:
    """Return the approximate width of text in Verdana 11px."""
    return sum(3.5 if c in NARROW else 10.0 if c in WIDE else DEFAULT_WIDTH for c in text)


def colour(score: float | None) -> str:
    """Return the badge colour of a score: green from 90, yellow from 75, red below, grey without one."""
    if score is None:
        return NO_SCORE
    return next(hex_colour for floor, hex_colour in COLOURS if score >= floor)


def score_badge(label: str, score: float | None) -> str:
    """Return the SVG badge of a score out of 100, e.g. `verity | 81.7/100`."""
    value = "n/a" if score is None else f"{score_text(score)}/100"
    left = round(text_width(label) + PADDING)
    right = round(text_width(value) + PADDING)
    return TEMPLATE.format(
        width=left + right, left=left, right=right, colour=colour(score),
        label=escape(label), value=escape(value), title=escape(f"{label}: {value}"),
        label_x=left / 2, value_x=left + right / 2,
    )
