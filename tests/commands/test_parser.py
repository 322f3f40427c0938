"""Reading the command from a comment's first line."""

from __future__ import annotations

import pytest

from app.jobs.commands.parser import Command, parse


@pytest.mark.parametrize(("body", "expected"), [
    ("/audit", Command("run")),
    ("/AUDIT", Command("run")),
    ("  \n\n  /audit run  \nthanks!", Command("run")),
    ("/audit RUN", Command("run")),
    ("/audit\texplain\tSEC001", Command("explain", ("SEC001",))),
    ("/audit Accept security  known   risk, see #12", Command("accept", ("security", "known", "risk,", "see", "#12"))),
    ("/audit frobnicate", Command("frobnicate")),
])
def test_commands_are_the_first_line_with_a_case_insensitive_subcommand(body: str, expected: Command) -> None:
    assert parse(body) == expected


@pytest.mark.parametrize("body", ["", "   \n ", "/auditor", "audit run", "please /audit run", "LGTM\n/audit run",
                                  "`/audit run`"])
def test_anything_else_is_not_a_command(body: str) -> None:
    assert parse(body) is None


def test_rest_joins_the_words_after_the_domain() -> None:
    command = parse("/audit accept docs  a\u00a0b   c")
    assert command is not None and command.rest(1) == "a b c"
