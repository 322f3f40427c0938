"""Read a slash command from a comment: its first non-blank line, `/audit` then a subcommand.

The web process uses this to decide whether a comment is a command, so it must stay free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "/audit"
DEFAULT = "run"  # a bare `/audit` re-runs the audit


@dataclass(frozen=True)
class Command:
    """A parsed command: the lower-cased subcommand and the words after it, as written."""

    name: str
    args: tuple[str, ...] = ()

    def rest(self, skip: int = 0) -> str:
        """Return the arguments after the first `skip` ones, joined by single spaces."""
        return " ".join(self.args[skip:])


def first_line(body: str) -> str:
    """Return a comment's first non-blank line."""
    for line in body.splitlines():
        if line.strip():
            return line.strip()
    return ""


def parse(body: str) -> Command | None:
    """Return the command a comment holds, or None when its first line is not `/audit ...`."""
    words = first_line(body).split()
    if not words or words[0].lower() != PREFIX:
        return None
    if len(words) == 1:
        return Command(DEFAULT)
    return Command(words[1].lower(), tuple(words[2:]))
