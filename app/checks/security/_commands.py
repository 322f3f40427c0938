"""Shell commands that switch TLS certificate verification off, found in any shell-bearing text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.checks.security._pairs import logical_lines, physical_line

_TOKEN = re.compile(r""""[^"]*"|'[^']*'|[^\s"']+""")
SEPARATORS = frozenset({"|", "||", "&&", ";", "&", "then", "do", "else"})
# curl short options that take an argument: in `-sSo out` the letters after `o` are its argument.
CURL_ARG_OPTIONS = frozenset("oOHXdufFTwxAbcCDeEKmrQtUyYzP")
LOOPBACK_URL = re.compile(r"^(?:https?://)?(?:localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)(?:[:/]|$)", re.I)
# Options that switch verification off whatever the command (kubectl, helm, podman, skopeo, aws).
ANY_COMMAND_FLAGS = re.compile(
    r"^(?:--insecure-skip-tls-verify(?:=true)?|--tls-verify=false|--tlsverify=false|--no-verify-ssl|"
    r"--skip-tls-verify(?:=true)?)$", re.I,
)
GIT_SSL = re.compile(r"^http(?:\.[^=\s]+)?\.sslverify(?:=(?P<value>\S*))?$", re.I)
STRICT_SSL = re.compile(r"^strict-ssl(?:=(?P<value>\S*))?$", re.I)
OFF = frozenset({"false", "0", "no", "off"})
# Every command `_judge` can flag holds one of these words, in any case: a text without any is never
# tokenized.
CANDIDATE_WORDS = ("curl", "wget", "insecure", "tlsverify", "tls-verify", "no-verify-ssl", "sslverify", "strict-ssl")
# The only characters besides ASCII letters that `_judge`'s case-blind patterns could take for these
# words' letters (`İ` and `ı` for `i`, `ſ` for `s`): a text with one is searched the slow way.
_CASE_BLIND = re.compile("|".join(CANDIDATE_WORDS), re.I)
_ODD_CASES = ("\u0130", "\u0131", "\u017f")


@dataclass(frozen=True)
class InsecureCommand:
    """A command line that disables certificate verification."""

    line: int
    what: str


def insecure_commands(lines: list[str]) -> Iterator[InsecureCommand]:
    """Yield each command of the text that turns certificate verification off."""
    if not names_candidate("\n".join(lines)):  # one search: no word spans a line break
        return  # most files name no such command: no need to join and tokenize their lines
    for number, text in logical_lines(lines):
        if len(text) > 20000 or not names_candidate(text):
            continue
        tokens = [t.strip("\"'") for t in _TOKEN.findall(text)]
        for segment in _segments(tokens):
            what = _judge(segment)
            if what:
                yield InsecureCommand(physical_line(lines, number, segment[0]), what)


def names_candidate(text: str) -> bool:
    """Return whether a text names, in any case, a word of a command that can turn verification off.

    `str.lower` and substring search run in C at memory speed; a case-blind regex tries every position.
    """
    if any(odd in text for odd in _ODD_CASES):
        return _CASE_BLIND.search(text) is not None
    lowered = text.lower()
    return any(word in lowered for word in CANDIDATE_WORDS)


def _segments(tokens: list[str]) -> Iterator[list[str]]:
    """Split a command line's tokens into simple commands."""
    current: list[str] = []
    for word in tokens:
        if word in SEPARATORS or word.endswith(";"):
            if len(word) > 1 and word.endswith(";"):
                current.append(word[:-1])
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def _judge(segment: list[str]) -> str:
    """Return what in one simple command disables verification, or an empty string."""
    names = [t.rsplit("/", 1)[-1] for t in segment]
    if "curl" in names:
        start = names.index("curl") + 1
        if _curl_insecure(segment[start:]) and not _only_loopback(segment[start:]):
            return "`curl --insecure`"
    wget = names.index("wget") + 1 if "wget" in names else 0
    if wget and "--no-check-certificate" in segment and not _only_loopback(segment[wget:]):
        return "`wget --no-check-certificate`"
    for index, token in enumerate(segment):
        if ANY_COMMAND_FLAGS.match(token):
            return f"`{token}`"
        found = _setting_off(segment, index, "git", GIT_SSL) or _setting_off(segment, index, "npm", STRICT_SSL)
        if found:
            return found
    return ""


def _curl_insecure(args: list[str]) -> bool:
    """Return whether curl's arguments include `-k` or `--insecure` (alone or in a cluster like `-sSk`)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("--insecure", "--proxy-insecure"):
            return True
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            for letter in arg[1:]:
                if letter == "k":
                    return True
                if letter in CURL_ARG_OPTIONS:
                    skip = arg.endswith(letter)  # the argument is the next word
                    break
    return False


def _only_loopback(args: list[str]) -> bool:
    """Return whether every URL a command names points at this machine (a local health check)."""
    urls = [a for a in args if "://" in a or LOOPBACK_URL.match(a)]
    return bool(urls) and all(LOOPBACK_URL.match(u) for u in urls)


def _setting_off(segment: list[str], index: int, tool: str, pattern: re.Pattern[str]) -> str:
    """Return the setting when `git ... http.sslVerify false` or `npm config set strict-ssl false` is set."""
    match = pattern.match(segment[index])
    if match is None or not any(t.rsplit("/", 1)[-1] in (tool, "yarn", "pnpm") for t in segment[:index]):
        return ""
    value = match["value"] if match["value"] is not None else (segment[index + 1:index + 2] or [""])[0]
    return f"`{segment[index]}` off" if value.lower() in OFF else ""

