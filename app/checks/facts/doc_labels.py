"""Extractor `docs.labels`: the cross-reference labels a documentation page defines.

Data: the labels, lower-cased as Sphinx compares them, or None when the page defines none. MyST
Markdown defines one with a `(label)=` line before a heading, reStructuredText with `.. _label:`.
MyST links to a label as to a page (`[](api_v3)`, `[the guide](api_v3)`), so the link checks read
these to tell such a reference from a relative path.
"""

from __future__ import annotations

import re

from app.checks.base import Extractor, FileContext

KEY = "docs.labels"
MYST_LABEL = re.compile(r"^\(([^()\s]{1,200})\)=\s*$")
RST_LABEL = re.compile(r"^\.\.\s+_([^:`\n]{1,200}):(?:\s|$)")
MAX_LABELS = 2000  # per page: more is not documentation
KINDS = frozenset({"markdown", "text"})


def extract(ctx: FileContext) -> list[str] | None:
    """Return the labels a MyST Markdown or reStructuredText page defines, if any."""
    if ctx.kind == "markdown":
        pattern = MYST_LABEL
    elif ctx.path.endswith(".rst"):
        pattern = RST_LABEL
    else:
        return None
    if "=" not in ctx.text and ".. _" not in ctx.text:
        return None
    labels = {match.group(1).strip().lower() for line in ctx.lines if (match := pattern.match(line))}
    return sorted(labels)[:MAX_LABELS] or None


EXTRACTOR = Extractor(KEY, KINDS, extract)
