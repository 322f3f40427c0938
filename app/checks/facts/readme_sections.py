"""Extractor `docs.readme`: which sections a README has, as `{"install": bool, "usage": bool}`.

Only files named `README` (any case, any extension) get data; every other file gets None. A section
counts when a heading names it: Markdown `#` and underlined headings, HTML `<h1>`-`<h6>`, a line that
is bold on its own, reStructuredText titles, or a short plain-text line that is only the section's
name (`Installation:`, `USAGE`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import Extractor, FileContext

KEY = "docs.readme"
KINDS = frozenset({"markdown", "text"})

README = re.compile(r"^readme(\.[a-z0-9]+)?$", re.IGNORECASE)
# "Getting started" and "Quick start" sections walk through both installing and using: they count for both.
INSTALL = re.compile(
    r"\b(install|installation|installing|getting started|get started|quick ?start|quick-start|setup|set[ -]up)\b"
)
USAGE = re.compile(
    r"\b(usage|getting started|get started|quick ?start|quick-start|examples?|how to use|using|tutorial|basic use)\b"
)
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# Patterns are anchored or bounded so that a hostile README costs linear time.
ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*)$")
HTML_HEADING = re.compile(r"<h[1-6][^<>]{0,200}>([^\n]{0,200}?)</h[1-6]>", re.IGNORECASE)
BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
UNDERLINE = re.compile(r"^\s*([=\-~^\"'`*+#:._])\1{2,}\s*$")
NUMBERING = re.compile(r"^[\d.)\s]+")
MAX_PLAIN_HEADING = 40
MAX_HEADING = 200


def extract(ctx: FileContext) -> dict[str, bool] | None:
    """Return which sections a README has, or None for any other file."""
    if not README.match(ctx.name):
        return None
    headings = [_normalise(h[:MAX_HEADING]) for h in _headings(ctx.lines)]
    return {
        "install": any(INSTALL.search(h) for h in headings),
        "usage": any(USAGE.search(h) for h in headings),
    }


def _headings(lines: list[str]) -> Iterator[str]:
    """Yield the text of every line that reads as a heading, outside fenced code."""
    fence = ""
    for index, line in enumerate(lines):
        opened = FENCE.match(line)
        if fence or opened:
            if not fence and opened:
                fence = opened.group(1)[0] * 3
            elif line.strip().startswith(fence):
                fence = ""
            continue
        atx = ATX.match(line)
        if atx:
            yield atx.group(1)
        yield from HTML_HEADING.findall(line)
        bold = BOLD_LINE.match(line)
        if bold:
            yield bold.group(1)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and UNDERLINE.match(following):
            yield line  # a setext (Markdown) or reStructuredText title
        if _is_plain_heading(line):
            yield line


def _is_plain_heading(line: str) -> bool:
    """Return whether a plain-text line is short and stands alone like a title (`Usage:`, `INSTALL`)."""
    text = line.strip()
    if not text or len(text) > MAX_PLAIN_HEADING or line[:1].isspace():
        return False
    return text.endswith(":") or text.isupper()


def _normalise(heading: str) -> str:
    """Return a heading in lower case without markup, numbering or trailing punctuation."""
    text = re.sub(r"<[^>]+>|[*_`\[\]]", "", heading).strip().lower()
    return NUMBERING.sub("", text).rstrip(": ")


EXTRACTOR = Extractor(KEY, KINDS, extract)
