"""Extractor `markdown.links`: the relative link targets of a Markdown file, as `[line, target]`.

It reads inline links and images (`[text](path)`, `![alt](path)`), reference definitions
(`[label]: path`) and the `href`/`src` of HTML `<a>`, `<img>` and `<source>` tags, outside fenced
and indented code, inline code spans and HTML comments. Targets that are not repository paths are
dropped here, so the cached data stays small: URLs with a scheme (`https:`, `mailto:`),
protocol-relative and site-absolute paths (`//host`, `/path`), pure anchors, template text and
placeholders (`(link)`, `(url)`, `(#)`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import MARKDOWN, Extractor, FileContext

KEY = "markdown.links"

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")  # fences nested in list items are indented further
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s")
CODE_SPAN = re.compile(r"(`+)(?!`).{0,2000}?(?<!`)\1(?!`)")  # bounded: linear on hostile lines
# A definition's destination ends its line, or a title does (`"t"`, `'t'`, `(t)`): `[label]: Some prose`
# is a paragraph that opens with a shortcut link, not a definition of `Some` (mkdocs 62a4e3c213).
REFERENCE = re.compile(r"""^ {0,3}\[([^\]^][^\]]*)\]:\s*(<[^>\n]*>|\S+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*$""")
# Tags are bounded in length, and their attributes read in a second step, so that hostile text (a long
# run of unclosed `<a `) costs linear time rather than quadratic.
HTML_TAG = re.compile(r"<(?:a|img|source)\b[^<>]{0,2000}>", re.IGNORECASE)
HTML_TARGET = re.compile(r"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# A destination is `<anything>` or a run without spaces, with balanced one-level parentheses. It cannot
# run past the next `](`, so scanning every `](` of a line costs linear time even on hostile text.
DESTINATION = re.compile(r"[ \t]*(?:<([^<>\n]{0,2048})>|((?:[^\s()]|\([^\s()]*\))+))")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Stand-ins written where a link will go (`[the docs](link)` in a style guide or a template): no path.
PLACEHOLDERS = frozenset({"link", "url", "uri", "href", "path", "target", "todo", "tbd", "tbc", "xxx",
                          "placeholder", "...", "\u2026", "_", "-"})


def extract(ctx: FileContext) -> list[list[int | str]]:
    """Return `[line, target]` for every relative link of a Markdown file."""
    return [[line_no, target] for line_no, text in _prose_lines(ctx.lines)
            for target in _targets(text) if is_relative_target(target)]


def _prose_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Yield the numbered lines that are prose: code blocks, code spans and comments removed."""
    fence = ""
    in_comment = False
    after_break = True  # the previous line was blank or indented code, so indentation means code
    for number, raw in enumerate(lines, start=1):
        if fence:
            fence = "" if _closes(raw, fence) else fence
            continue
        if not in_comment:
            opened = FENCE.match(raw)
            if opened:
                fence = opened.group(1)
                continue
            if _is_indented_code(raw, after_break):
                continue
        after_break = not raw.strip()
        text, in_comment = _strip_comments(raw, in_comment)
        yield number, CODE_SPAN.sub("", text)


def _closes(line: str, fence: str) -> bool:
    """Return whether a line closes a code fence: the same character, at least as many, nothing else."""
    text = line.strip()
    return text.startswith(fence) and not text.strip(fence[0])


def _is_indented_code(line: str, after_break: bool) -> bool:
    """Return whether a line is part of an indented code block (list items and their text aside)."""
    indent = len(line) - len(line.lstrip(" \t"))
    if not line.strip() or not after_break:
        return False
    width = len(line[:indent].expandtabs(4))
    return width >= 4 and not LIST_ITEM.match(line)


def _strip_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """Remove the parts of a line inside HTML comments; return the rest and whether a comment is open."""
    out: list[str] = []
    rest = line
    while rest:
        if in_comment:
            end = rest.find("-->")
            if end < 0:
                return "".join(out), True
            rest, in_comment = rest[end + 3 :], False
        else:
            start = rest.find("<!--")
            if start < 0:
                out.append(rest)
                break
            out.append(rest[:start])
            rest, in_comment = rest[start + 4 :], True
    return "".join(out), in_comment


def _targets(text: str) -> Iterator[str]:
    """Yield the raw link targets written on one prose line."""
    reference = REFERENCE.match(text)
    if reference:
        yield _unwrap(reference.group(2))
    for tag in HTML_TAG.finditer(text):
        for match in HTML_TARGET.finditer(tag.group(0)):
            yield match.group(1) if match.group(1) is not None else match.group(2)
    start = text.find("[")
    while start >= 0:
        opening = text.find("](", start)
        if opening < 0:
            return
        target = _destination(text, opening + 2)
        if target is not None:
            yield target
        start = opening + 2


def _destination(text: str, index: int) -> str | None:
    """Return the link destination starting at `index` (after `](`), or None when there is none."""
    match = DESTINATION.match(text, index)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def _unwrap(target: str) -> str:
    """Return a destination without its optional angle brackets."""
    return target[1:-1] if target.startswith("<") and target.endswith(">") else target


def is_relative_target(target: str) -> bool:
    """Return whether a link target names a path relative to the file (not a URL, anchor or template)."""
    target = target.strip()
    if not target or target.startswith(("#", "/", "?")):
        return False
    if SCHEME.match(target) or target.lower() in PLACEHOLDERS:
        return False
    # Template text (`{{ site.url }}`, `${VAR}`) is filled in by a site generator: not a repo path.
    return not any(char in target for char in "{}$<>")


EXTRACTOR = Extractor(KEY, MARKDOWN, extract)
