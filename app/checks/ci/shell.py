"""Walk a shell script into its simple commands, each marked enforcing or advisory.

A command is advisory when its failure cannot fail the script: it is followed (before the next `;`)
by `|| true`, `|| :`, `|| echo ...` or `|| exit 0`; its line ends in `; exit 0`; it runs after
`set +e`; or it is piped into another command while `pipefail` is off (a pipeline's status is its last
command's). The walk is textual and never runs anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.checks.ci.commands import Command, parse_command

_TOKENS = re.compile(r"(\|\||&&|;|\||&|\$\(|[()`])")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_NEUTRAL_PROGRAMS = frozenset({"true", ":", "echo", "printf"})
_SEPARATORS = frozenset({";", "&", "(", ")", "`", "$("})


@dataclass(frozen=True)
class Step:
    """One simple command of a script and whether its failure can fail the script."""

    command: Command
    advisory: bool


@dataclass
class _ShellState:
    """What `set` changed so far: exit on error and pipefail."""

    errexit: bool
    pipefail: bool


def _is_neutral(segment: str) -> bool:
    """Return whether a command succeeds whatever came before it (`true`, `:`, `echo`, `exit 0`)."""
    text = segment.strip()
    if not text or text.startswith("{"):
        return False  # an empty segment is a group `( ... )`, whose content decides
    command = parse_command(text)
    if command is None:
        return text == ":"
    if command.program in _NEUTRAL_PROGRAMS:
        return True
    return command.program in ("exit", "return") and command.args[:1] == ("0",)


def _apply_set(segment: str, state: _ShellState) -> bool:
    """Update the state from a `set` builtin; return whether the segment was one."""
    words = segment.split()
    if not words or words[0] != "set":
        return False
    for index, word in enumerate(words[1:], start=1):
        nxt = words[index + 1] if index + 1 < len(words) else ""
        if word.startswith(("-", "+")) and not word.startswith(("--", "-o", "+o")):
            if "e" in word:
                state.errexit = word.startswith("-")
            if word.endswith("o") and nxt == "pipefail":
                state.pipefail = word.startswith("-")
        elif word in ("-o", "+o") and nxt == "pipefail":
            state.pipefail = word == "-o"
        elif word in ("-o", "+o") and nxt == "errexit":
            state.errexit = word == "-o"
    return True


def _line_steps(line: str, state: _ShellState) -> Iterator[Step]:
    """Yield the commands of one line with their advisory flag."""
    parts = _TOKENS.split(line)
    segments, operators = parts[0::2], parts[1::2]
    last = next((s for s in reversed(segments) if s.strip()), "")
    ends_exit_0 = len(segments) > 1 and parse_command(last) == parse_command("exit 0")
    for index, segment in enumerate(segments):
        if _apply_set(segment.strip(), state):
            continue
        command = parse_command(segment)
        if command is None or _is_neutral(segment):
            continue
        piped = index < len(operators) and operators[index] == "|"
        advisory = (
            not state.errexit
            or (piped and not state.pipefail)
            or _neutralised(segments, operators, index)
            or (ends_exit_0 and segment is not last)
        )
        yield Step(command, advisory)


def _neutralised(segments: list[str], operators: list[str], index: int) -> bool:
    """Return whether a later `|| true`-like fallback, before the next `;`, swallows this command's failure."""
    for position in range(index, len(operators)):
        operator = operators[position]
        if operator in _SEPARATORS:
            return False
        if operator == "||" and _is_neutral(segments[position + 1]):
            return True
    return False


def walk(script: str, pipefail: bool = False, errexit: bool = True) -> list[Step]:
    """Return the simple commands of a script, comments and continuations removed, each marked advisory or not."""
    script = script.replace("\\\r\n", " ").replace("\\\n", " ")
    state = _ShellState(errexit, pipefail)
    steps: list[Step] = []
    for raw in script.splitlines():
        steps.extend(_line_steps(_COMMENT.sub("", raw), state))
    return steps
