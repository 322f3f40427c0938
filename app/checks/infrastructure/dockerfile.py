"""A small Dockerfile parser: instructions with lines, build stages, and their effective settings.

It follows BuildKit's reading rules: parser directives (`# escape=`) only at the very top, the
escape character ending a line continues it (comment and blank lines inside a continuation are
dropped), keywords are case-insensitive, and heredocs (`RUN <<EOF`) run to their terminator.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from app.checks.base import FileContext, per_file
from app.checks.infrastructure.images import ImageRef, split_image

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S*)\s*$")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


@dataclass(frozen=True)
class Instruction:
    """One instruction: its upper-case keyword, its joined arguments, and the lines it spans."""

    keyword: str
    args: str
    line: int
    end_line: int

    def words(self) -> list[str]:
        """Return the arguments split on whitespace."""
        return self.args.split()

    def flags(self) -> list[str]:
        """Return the leading `--flag` words."""
        out: list[str] = []
        for word in self.words():
            if not word.startswith("--"):
                break
            out.append(word)
        return out

    def operands(self) -> list[str]:
        """Return the words after the leading `--flag` words."""
        return self.words()[len(self.flags()) :]


@dataclass
class Stage:
    """A build stage: its FROM, its optional name, and the instructions that follow."""

    start: Instruction
    image: str
    name: str
    parent: Stage | None = None
    instructions: list[Instruction] = field(default_factory=list)

    def lineage(self) -> list[Stage]:
        """Return this stage then the earlier stages it is built FROM, nearest first."""
        chain: list[Stage] = []
        current: Stage | None = self
        while current is not None and current not in chain:
            chain.append(current)
            current = current.parent
        return chain

    def find(self, keyword: str) -> list[Instruction]:
        """Return this stage's instructions of one keyword, in order."""
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: every instruction, the global ARG defaults and the stages."""

    instructions: tuple[Instruction, ...]
    global_args: dict[str, str | None]
    stages: tuple[Stage, ...]

    def base_image(self, stage: Stage) -> ImageRef | None:
        """Return a stage's external base image with global ARGs substituted, or None if unknown."""
        resolved = self.external_image(stage)
        return split_image(resolved) if resolved else None

    def external_image(self, stage: Stage) -> str | None:
        """Return the image a stage starts from with global ARGs substituted: "" when only a build
        argument names it, None when it starts from `scratch` or an earlier stage."""
        if stage.parent is not None or stage.image.lower() == "scratch":
            return None
        resolved = substitute(stage.image, self.global_args)
        if resolved is None:
            return ""  # unknown until build time
        if resolved.lower() == "scratch" or any(s.name and s.name == resolved.lower() for s in self.stages):
            return None  # `scratch`, or an earlier stage named through an ARG
        return resolved


def substitute(text: str, args: dict[str, str | None]) -> str | None:
    """Replace `$VAR`/`${VAR}`/`${VAR:-default}` from ARG defaults; None when a value is unknown."""
    unknown = False

    def value(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(3)
        found = args.get(name)
        if found is None:
            found = match.group(2)
        if found is None:
            unknown = True
            return ""
        return found

    result = _VARIABLE.sub(value, text)
    return None if unknown else result


def _read_directives(lines: list[str]) -> tuple[str, int]:
    """Return the escape character and the index of the first line after the parser directives."""
    escape = "\\"
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
        index += 1
    return escape, index


def _skippable(line: str) -> bool:
    """Return whether a line is blank or a comment, which a continuation skips over."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _join_continuation(lines: list[str], index: int, escape: str) -> tuple[str, int]:
    """Join a logical line starting at `index`; return it and the index of its last physical line."""
    parts: list[str] = []
    while True:
        content = lines[index].rstrip()
        if not content.endswith(escape):
            parts.append(content)
            return "".join(parts), index
        parts.append(content[:-1])
        nxt = index + 1
        while nxt < len(lines) and _skippable(lines[nxt]):
            nxt += 1
        if nxt >= len(lines):
            return "".join(parts), index
        index = nxt


def _read_heredocs(logical: str, lines: list[str], index: int) -> tuple[str, int]:
    """Append the bodies of the heredocs a logical line opens; return the text and the last line index."""
    bodies: list[str] = []
    for match in _HEREDOC.finditer(logical):
        strip_tabs, word = match.group(1) == "-", match.group(3)
        while index + 1 < len(lines):
            index += 1
            body_line = lines[index].lstrip("\t") if strip_tabs else lines[index]
            if body_line.strip() == word:
                break
            bodies.append(lines[index])
    return "\n".join([logical, *bodies]), index


def instructions(text: str) -> list[Instruction]:
    """Return the instructions of a Dockerfile, in order."""
    lines = text.splitlines()
    escape, index = _read_directives(lines)
    found: list[Instruction] = []
    while index < len(lines):
        if _skippable(lines[index]):
            index += 1
            continue
        start = index
        logical, index = _join_continuation(lines, index, escape)
        words = logical.strip().split(None, 1)
        if not words:
            index += 1
            continue
        keyword, args = words[0].upper(), words[1] if len(words) > 1 else ""
        if keyword in _HEREDOC_KEYWORDS and "<<" in args:
            args, index = _read_heredocs(args, lines, index)
        found.append(Instruction(keyword, args.strip(), start + 1, index + 1))
        index += 1
    return found


def _stage_from(instruction: Instruction, earlier: dict[str, Stage]) -> Stage:
    """Build a stage from its FROM instruction, linking it to an earlier stage it names."""
    operands = instruction.operands()
    image = operands[0] if operands else ""
    has_name = len(operands) > 2 and operands[1].lower() == "as"  # FROM image AS name
    name = operands[2] if has_name else ""
    return Stage(start=instruction, image=image, name=name.lower(), parent=earlier.get(image.lower()))


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse a Dockerfile into instructions, global ARG defaults and stages."""
    every = instructions(text)
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    named: dict[str, Stage] = {}
    for instruction in every:
        if instruction.keyword == "FROM":
            stage = _stage_from(instruction, named)
            stages.append(stage)
            if stage.name:
                named[stage.name] = stage
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            global_args.update(_arg_defaults(instruction))
    return Dockerfile(tuple(every), global_args, tuple(stages))


def _arg_defaults(instruction: Instruction) -> dict[str, str | None]:
    """Return the names an ARG declares with their defaults (None when it has none)."""
    out: dict[str, str | None] = {}
    for word in instruction.words():
        name, eq, default = word.partition("=")
        out[name] = default.strip("'\"") if eq else None
    return out


@per_file
def parse(ctx: FileContext) -> Dockerfile:
    """Return the file's parsed Dockerfile, parsed once per file and shared by every check."""
    return parse_dockerfile(ctx.text)


def is_dev_container(ctx: FileContext) -> bool:
    """Return whether a Dockerfile builds a development container, not an image that ships."""
    return "/.devcontainer/" in f"/{ctx.path}"


def is_wasm_image(stage: Stage) -> bool:
    """Return whether a final stage builds a WebAssembly image (`wasi/wasm`), not a Linux one.

    The evidence is in the Dockerfile itself: a `FROM --platform=wasi/...`, or an image built from
    `scratch` whose entry point is a `.wasm` module, which only a Wasm runtime can start.
    """
    lineage = stage.lineage()
    if any(flag.lower().startswith("--platform=wasi/") for s in lineage for flag in s.start.flags()):
        return True
    if lineage[-1].image.lower() != "scratch":
        return False
    for ancestor in lineage:
        starts = ancestor.find("ENTRYPOINT") or ancestor.find("CMD")
        if starts:
            return _executable(starts[-1].args).lower().endswith(".wasm")
    return False


def _executable(args: str) -> str:
    """Return the program an ENTRYPOINT or CMD runs: the first item of its exec form or its first word."""
    if args.startswith("["):
        try:
            form = json.loads(args)
        except ValueError:
            return ""
        return form[0] if isinstance(form, list) and form and isinstance(form[0], str) else ""
    return (args.split() or [""])[0]
