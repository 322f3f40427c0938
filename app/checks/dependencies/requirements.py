"""Parse PEP 508 requirement strings and pip requirements files, by text only (never pip)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*")
_SPEC = re.compile(r"(?:===|==|!=|~=|<=|>=|<|>)[^,;\s]+(?:,(?:===|==|!=|~=|<=|>=|<|>)[^,;\s]+)*")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_COMMENT = re.compile(r"(^|\s)#.*$")
# pip options that take the next token as their value.
_VALUED_OPTIONS = frozenset(
    {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-binary",
     "--only-binary", "--use-feature", "--global-option", "--config-settings", "--hash"}
)
_INCLUDE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint"})
LOCK_HINTS = ("# via", "pip-compile", "uv pip compile", "--hash")
LOCK_SIZE = 15  # a list this long with every entry pinned with == is a freeze or a lock, not hand-written


def normalize(name: str) -> str:
    """Return a distribution name normalised as PEP 503 says (`Foo_Bar.baz` -> `foo-bar-baz`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """One parsed requirement: normalised name, extras, version specifier, marker and direct URL."""

    name: str
    extras: tuple[str, ...] = ()
    spec: str = ""
    marker: str = ""
    url: str = ""


def parse_requirement(text: str) -> Requirement | None:
    """Parse a PEP 508 string (`name[extra]>=1,<2; python_version<"3.11"`); None if it is not one."""
    match = _NAME.match(text)
    if match is None:
        return None
    name, rest = match.group(1), text[match.end() :]
    extras: tuple[str, ...] = ()
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            return None
        extras = tuple(sorted(normalize(e.strip()) for e in rest[1:end].split(",") if e.strip()))
        rest = rest[end + 1 :].lstrip()
    if rest.startswith("@"):
        url, _, marker = rest[1:].partition(";")
        return Requirement(normalize(name), extras, "", marker.strip(), url.strip())
    spec, _, marker = rest.partition(";")
    spec = "".join(spec.split())
    if spec.startswith("(") and spec.endswith(")"):
        spec = spec[1:-1]
    if spec and not _SPEC.fullmatch(spec):
        return None
    return Requirement(normalize(name), extras, spec, marker.strip())


@dataclass
class RequirementsFile:
    """What a pip requirements file declares, with 1-based lines."""

    requirements: list[tuple[int, Requirement]]
    includes: list[str]  # files named by -r (constraints files declare nothing and are left out)
    lock: bool


def parse_requirements_file(text: str) -> RequirementsFile:
    """Parse a requirements file: requirements, `-r`/`-c` includes, and whether it looks generated."""
    out = RequirementsFile([], [], any(hint in text for hint in LOCK_HINTS))
    for line_no, line in _logical_lines(text):
        tokens = line.split()
        if not tokens:
            continue
        if tokens[0] in _INCLUDE_OPTIONS or tokens[0].startswith(("-r", "-c", "--requirement=", "--constraint=")):
            # Constraints files only bound versions: a requirements file is what declares more needs.
            if tokens[0].startswith(("-r", "--requirement")):
                out.includes.extend(_include_target(tokens))
            continue
        requirement = _line_requirement(tokens)
        if requirement is not None:
            out.requirements.append((line_no, requirement))
    pinned = [r for _, r in out.requirements if r.spec.startswith("==") and "," not in r.spec]
    if len(out.requirements) >= LOCK_SIZE and len(pinned) == len(out.requirements):
        out.lock = True
    return out


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Return the lines without comments, joining backslash continuations, each with its first line number."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).rstrip()
        if not pending:
            start = line_no
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append((start, (pending + line).strip()))
        pending = ""
    if pending:
        out.append((start, pending.strip()))
    return out


def _include_target(tokens: list[str]) -> list[str]:
    """Return the file a `-r`/`-c` line names."""
    first = tokens[0]
    for prefix in ("--requirement=", "--constraint="):
        if first.startswith(prefix):
            return [first[len(prefix) :]]
    if first in _INCLUDE_OPTIONS:
        return tokens[1:2]
    return [first[2:]] if len(first) > 2 else []


def _line_requirement(tokens: list[str]) -> Requirement | None:
    """Return the requirement a non-include line declares (an editable install with #egg= included)."""
    if tokens[0] in ("-e", "--editable"):
        egg = _EGG.search(" ".join(tokens[1:]))
        return Requirement(normalize(egg.group(1)), url=tokens[1]) if egg and len(tokens) > 1 else None
    if tokens[0].startswith("-"):
        return None
    words: list[str] = []
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
        elif token in _VALUED_OPTIONS:
            skip_next = True
        elif not token.startswith("--"):
            words.append(token)
    text = " ".join(words)
    if "://" in text.split(";")[0] and "@" not in text.split("://")[0]:
        egg = _EGG.search(text)
        return Requirement(normalize(egg.group(1)), url=text) if egg else None
    if text.startswith((".", "/", "$", "{")):
        return None
    return parse_requirement(text)
