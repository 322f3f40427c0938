"""Escape text a user wrote before Verity echoes it, so it renders as the same plain words.

GitHub renders comments and check runs as Markdown with HTML, then links mentions (`@user`,
`@org/team`), issue references (`#12`, `org/repo#12`) and bare URLs in the text that remains. Each
of those could make Verity ping a team, reference an issue or post a link it never meant to, so:
- `<`, `>` and `&` become HTML entities: no tag, and no entity that decodes to something else;
- Markdown punctuation is backslash-escaped: no link, image, emphasis, code span or math;
- a zero-width joiner follows every `@` and `#` and splits `://`, `www.` and `GH-1`: GitHub's
  mention, reference and autolink filters run on the rendered text, where a backslash is gone;
- line breaks become spaces: no new block (heading, list, quote, table) can start.
"""

from __future__ import annotations

import re

ZWJ = "\u200d"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN = frozenset("\\`*_[]()!~|${}")
_BREAK_AFTER = frozenset("@#")
_AUTOLINK = re.compile(r"(?i)(:)(//)|(www)(\.)|\b(gh-)([0-9])")  # a ZWJ goes between each pair
_SPACE = re.compile(r"\s+")


def escape_char(char: str) -> str:
    """Return one character made inert."""
    if char in _ENTITIES:
        return _ENTITIES[char]
    if char in _MARKDOWN:
        return "\\" + char
    if char in _BREAK_AFTER:
        return char + ZWJ
    return char


def escape_untrusted(value: str) -> str:
    """Return user text as inert Markdown on one line: it renders as the words, and nothing more."""
    flat = _SPACE.sub(" ", value).strip()
    unlinked = _AUTOLINK.sub(lambda m: ZWJ.join(g for g in m.groups() if g), flat)
    return "".join(escape_char(c) for c in unlinked)
