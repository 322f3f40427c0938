"""Extractor `git.ignore`: the patterns of a `.gitignore` file.

Data: the file's patterns in file order, `!` re-inclusions included (comments and blank lines left
out), or None for any other file or a `.gitignore` with no pattern. A path that a `.gitignore`
ignores is not committed: something builds it (a docs generator writing `docs/reference/cli.md`), so a
link to it cannot be judged from the tree.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterable

from app.checks.base import Extractor, FileContext

KEY = "git.ignore"
NAME = ".gitignore"
MAX_PATTERNS = 2000  # a longer list is not written by hand: its first patterns are kept
KINDS = frozenset({"text"})


def extract(ctx: FileContext) -> list[str] | None:
    """Return the patterns of a `.gitignore`, if any."""
    if ctx.name != NAME:
        return None
    patterns = [line.strip() for line in ctx.lines]
    kept = [p for p in patterns if p and not p.startswith("#")]
    return kept[:MAX_PATTERNS] or None


def is_ignored(path: str, ignores: Iterable[tuple[str, list[str]]]) -> bool:
    """Return whether a repository path is ignored by the `.gitignore` files given as (folder, patterns).

    As in git, the last pattern that matches decides, a `!pattern` re-includes, and a deeper file's
    patterns come after its parents' (`*` then `!*.md` ignores everything but Markdown). A pattern applies
    below its file's folder: one with a `/` before its end is anchored there, one without matches a name
    at any depth, and a trailing `/` matches a folder (so every path below it).
    """
    ignored = False
    for folder, patterns in sorted(ignores, key=lambda item: (item[0].count("/") + bool(item[0]), item[0])):
        if folder and not path.startswith(folder + "/"):
            continue
        relative = path[len(folder) + 1:] if folder else path
        for pattern in patterns:
            included = pattern.startswith("!")
            if _matches(relative, pattern[1:] if included else pattern):
                ignored = not included
    return ignored


def _matches(relative: str, pattern: str) -> bool:
    """Return whether one gitignore pattern ignores a path relative to its file's folder."""
    only_folders = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    if not pattern:
        return False
    parts = relative.split("/")
    # A folder pattern ignores what lies below a matching folder; a plain one, the path itself too.
    candidates = ["/".join(parts[:end]) for end in range(1, len(parts) + (0 if only_folders else 1))]
    if "/" in pattern:
        anchored = pattern.lstrip("/")
        return any(fnmatch.fnmatchcase(c, anchored) for c in candidates)
    return any(fnmatch.fnmatchcase(posixpath.basename(c), pattern) for c in candidates)


EXTRACTOR = Extractor(KEY, KINDS, extract)
