"""Extractor `docs.readme`: whether a README says how to install and how to use, as `{"install": bool, "usage": bool}`.

Only files named `README` (any case, any extension) get data; every other file gets None. Evidence of
either is a heading that names it: Markdown `#` and underlined headings, HTML `<h1>`-`<h6>`, a line that
is bold on its own, reStructuredText titles, or a short plain-text line that is only the section's
name (`Installation:`, `USAGE`). A README says how to install when it also shows a setup command in a
code block or `$ ` line (`pip install`, `uv sync`, `poetry install`, `npm ci`, `git clone`, `docker
compose up`, `make install`, ...), and how to use when it shows a run command (`uv run`, `python -m`,
`npm start`, `docker compose up`, `make run`, ...) or a Python example (a `python` or `pycon` block, `>>>`).
So losing one heading, such as the sub-section of an optional tool, loses nothing while the README
still explains setup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.checks.base import Extractor, FileContext

KEY = "docs.readme"
KINDS = frozenset({"markdown", "text"})

README = re.compile(r"^readme(\.[a-z0-9]+)?$", re.IGNORECASE)
# "Getting started" and "Quick start" sections walk through both installing and using: they count for both.
INSTALL = re.compile(
    r"\b(install|installation|installing|getting started|get started|quick ?start|quick-start|setup|set[ -]up"
    r"|how to use|development|developing|local development|running( it)? locally|run( it)? locally)\b"
)
USAGE = re.compile(
    r"\b(usage|getting started|get started|quick ?start|quick-start|examples?|how to use|using|tutorial|basic use"
    r"|how to run|running|run|configure|configuration|development)\b"
)
# Shell commands that set a project up, and ones that run it (a command line, after an optional prompt).
PROMPT = r"^\s*(?:\$|>|%|#)?\s*(?:sudo\s+)?"
INSTALL_COMMAND = re.compile(
    PROMPT + r"(?:(?:python3?\s+-m\s+)?pip3?\s+install|uv\s+(?:sync|pip\s+install|add|tool\s+install)|pipx\s+install"
    r"|poetry\s+install|pdm\s+install|hatch\s+env|conda\s+(?:env\s+)?(?:install|create)|brew\s+install"
    r"|(?:npm|pnpm|yarn|bun)\s+(?:install|ci|i|add)\b|git\s+clone"
    r"|docker[ -]compose\s+(?:up|build)|docker\s+(?:build|pull)"
    r"|make\s+(?:install|setup|init|dev|bootstrap)|cargo\s+install|go\s+install|helm\s+install|kubectl\s+apply)",
    re.IGNORECASE,
)
RUN_COMMAND = re.compile(
    PROMPT + r"(?:(?:uv|poetry|pdm|hatch|pipenv)\s+run|python3?\s+\S|(?:npm|pnpm|yarn|bun)\s+(?:run|start|dev)\b"
    r"|docker[ -]compose\s+(?:up|run|exec)|docker\s+run|make\s+\w|fastapi\s+(?:dev|run)|uvicorn\s|flask\s+run"
    r"|cargo\s+run|go\s+run|kubectl\s+apply)",
    re.IGNORECASE,
)
RST_CODE = re.compile(r"^\s*\.\.\s+(?:code-block|code|sourcecode)::\s*([\w+-]*)")
PYTHON_FENCES = frozenset({"python", "py", "python3", "pycon", "ipython"})
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
# Patterns are anchored or bounded so that a hostile README costs linear time.
ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*)$")
HTML_HEADING = re.compile(r"<h[1-6][^<>]{0,200}>([^\n]{0,200}?)</h[1-6]>", re.IGNORECASE)
BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")
UNDERLINE = re.compile(r"^\s*([=\-~^\"'`*+#:._])\1{2,}\s*$")
NUMBERING = re.compile(r"^[\d.)\s]+")
MAX_PLAIN_HEADING = 40
MAX_HEADING = 200


def extract(ctx: FileContext) -> dict[str, bool] | None:
    """Return which sections a README has, or None for any other file."""
    if not README.match(ctx.name):
        return None
    headings = [_normalise(h[:MAX_HEADING]) for h in _headings(ctx.lines)]
    commands, python_example = _commands(ctx.lines)
    return {
        "install": any(INSTALL.search(h) for h in headings) or any(INSTALL_COMMAND.match(c) for c in commands),
        "usage": (any(USAGE.search(h) for h in headings) or python_example
                  or any(RUN_COMMAND.match(c) for c in commands)),
    }


def _commands(lines: list[str]) -> tuple[list[str], bool]:
    """Return the lines of code blocks and `$ ` prompts, and whether the README shows a Python example.

    Code blocks are Markdown fences and reStructuredText `code-block` directives or `::` literal blocks
    (their indented lines); prose is never read as a command.
    """
    commands: list[str] = []
    python_example = False
    fence = ""
    literal = False
    for line in lines:
        opened = FENCE.match(line)
        if literal and line.strip() and not line[:1].isspace():
            literal = False
        if not fence and opened:
            fence = opened.group(1)[0] * 3
            python_example = python_example or opened.group(2).lower() in PYTHON_FENCES
        elif fence and line.strip().startswith(fence):
            fence = ""
        elif fence or literal or line.lstrip().startswith("$ "):
            commands.append(line[:MAX_HEADING])
            python_example = python_example or line.lstrip().startswith(">>> ")
        elif directive := RST_CODE.match(line):
            literal = True
            python_example = python_example or directive.group(1).lower() in PYTHON_FENCES
        elif line.rstrip().endswith("::"):
            literal = True
    return commands, python_example


def _headings(lines: list[str]) -> Iterator[str]:
    """Yield the text of every line that reads as a heading, outside fenced code."""
    fence = ""
    for index, line in enumerate(lines):
        opened = FENCE.match(line)
        if fence or opened:
            if not fence and opened:
                fence = opened.group(1)[0] * 3
            elif line.strip().startswith(fence):
                fence = ""
            continue
        atx = ATX.match(line)
        if atx:
            yield atx.group(1)
        yield from HTML_HEADING.findall(line)
        bold = BOLD_LINE.match(line)
        if bold:
            yield bold.group(1)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and UNDERLINE.match(following):
            yield line  # a setext (Markdown) or reStructuredText title
        if _is_plain_heading(line):
            yield line


def _is_plain_heading(line: str) -> bool:
    """Return whether a plain-text line is short and stands alone like a title (`Usage:`, `INSTALL`)."""
    text = line.strip()
    if not text or len(text) > MAX_PLAIN_HEADING or line[:1].isspace():
        return False
    return text.endswith(":") or text.isupper()


def _normalise(heading: str) -> str:
    """Return a heading in lower case without markup, numbering or trailing punctuation."""
    text = re.sub(r"<[^>]+>|[*_`\[\]]", "", heading).strip().lower()
    return NUMBERING.sub("", text).rstrip(": ")


EXTRACTOR = Extractor(KEY, KINDS, extract)
