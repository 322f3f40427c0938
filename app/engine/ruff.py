"""Run ruff over a batch of Python files and turn its JSON output into raw findings."""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.checks.ruff_rules import MAX_COMPLEXITY, RUFF_IGNORE, RUFF_SELECT, UNDEFINED_NAME
from app.engine.model import RawFinding, Severity
from app.engine.python_target import RUNTIME_TARGET

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}\.pyi?$")


class RuffError(RuntimeError):
    """Ruff could not run; the audit reports it instead of pretending the files are clean."""


def ruff_binary() -> str:
    """Return the ruff executable installed beside this Python, else the one on PATH."""
    candidate = Path(sys.executable).with_name("ruff")
    return str(candidate) if candidate.exists() else "ruff"


@functools.cache
def ruff_version() -> str:
    """Return ruff's version string, part of the facts cache key (asked once per process)."""
    out = subprocess.run([ruff_binary(), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


SYNTAX_ERROR = "invalid-syntax"  # the code Verity gives ruff's syntax errors (ruff leaves some without one)

# Ruff's own suppression comments (`ruff: ignore`, `file-ignore`, `disable`, `enable`, each with a list) take rule
# names (`tarfile-unsafe-members`) only in preview mode, which Verity does not run: a project that
# writes names would see its suppressed findings come back. The copy ruff reads names the codes.
_SUPPRESSION = re.compile(r"(#\s*ruff\s*:\s*(?:file-ignore|ignore|disable|enable)\s*\[)([^\]\n]{1,2000})\]")
_RULE_NAME = re.compile(r"[a-z][a-z0-9-]*")


@functools.cache
def rule_codes() -> dict[str, str]:
    """Return ruff's rule codes by rule name (asked once per process, and only when a file names a rule)."""
    out = subprocess.run([ruff_binary(), "rule", "--all", "--output-format", "json"], capture_output=True, check=False)
    try:
        rules = json.loads(out.stdout or b"[]")
    except ValueError:
        return {}
    return {str(r["name"]): str(r["code"]) for r in rules if isinstance(r, dict) and r.get("name") and r.get("code")}


def with_rule_codes(text: str) -> str:
    """Return a file's text with the rule names in its ruff suppression comments written as codes."""
    if "ruff" not in text or not _SUPPRESSION.search(text):
        return text
    return _SUPPRESSION.sub(_codes_for_names, text)


def _codes_for_names(match: re.Match[str]) -> str:
    """Rewrite one suppression comment's list: each known rule name becomes its code, all else stays."""
    items = match.group(2).split(",")
    if not any(_RULE_NAME.fullmatch(item.strip()) for item in items):
        return match.group(0)
    codes = rule_codes()
    swapped = [codes.get(item.strip(), item.strip()) for item in items]
    return f"{match.group(1)}{','.join(swapped)}]"


def ruff_command(target: str, python: str = RUNTIME_TARGET) -> list[str]:
    """Return the isolated ruff command: the repository's own config is never read, its Python version is given."""
    return [
        ruff_binary(), "check", "--isolated", "--no-cache", "--exit-zero", "--output-format", "json",
        "--select", ",".join(RUFF_SELECT), "--ignore", ",".join(RUFF_IGNORE),
        "--config", f"lint.mccabe.max-complexity = {MAX_COMPLEXITY}", "--target-version", python, target,
    ]


@dataclass
class RuffBatch:
    """A ruff process running over a batch of files in the background."""

    proc: subprocess.Popen[bytes] | None
    workdir: tempfile.TemporaryDirectory[str] | None
    names: dict[str, str]  # temp file path -> the caller's key for the file

    def collect(self) -> dict[str, list[RawFinding]]:
        """Wait for ruff and return its findings keyed by the caller's file keys."""
        if self.proc is None:
            return {}
        try:
            out, err = self.proc.communicate()
            if self.proc.returncode != 0:
                raise RuffError(err.decode("utf-8", "replace").strip()[:500] or "ruff failed")
            return parse_ruff_output(out, self.names)
        finally:
            if self.workdir is not None:
                self.workdir.cleanup()


def _scratch_dir() -> str | None:
    """Return a memory-backed temp folder when the machine has one (ruff's copies are written and read once)."""
    shm = "/dev/shm"  # noqa: S108 - a private TemporaryDirectory is made inside it
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def start_ruff(files: Mapping[str, tuple[str, str]], python: str = RUNTIME_TARGET) -> RuffBatch:
    """Start one ruff process over files given as {key: (repository path, text)} in a private temp dir.

    `python` is the ruff target version: which syntax is valid and how annotations are evaluated.
    """
    if not files:
        return RuffBatch(None, None, {})
    workdir = tempfile.TemporaryDirectory(prefix="verity-ruff-", dir=_scratch_dir())
    names: dict[str, str] = {}
    # Each file keeps its base name (rules read it: `__init__.py`, `test_*.py`); the n-th file of a
    # name goes to folder n, so a tree needs as many folders as its most repeated name, not one a file.
    seen: dict[str, int] = {}
    for key, (path, text) in sorted(files.items()):
        base = path.rsplit("/", 1)[-1]
        # Hostile names never reach the file system: unsafe ones become a neutral name.
        name = base if _SAFE_NAME.match(base) else ("module.pyi" if path.endswith(".pyi") else "module.py")
        index = seen[name] = seen.get(name, -1) + 1
        folder = Path(workdir.name) / str(index)
        folder.mkdir(exist_ok=True)
        target = folder / name
        target.write_text(with_rule_codes(text), encoding="utf-8")
        names[str(target)] = key
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}
    proc = subprocess.Popen(ruff_command(workdir.name, python), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return RuffBatch(proc, workdir, names)


def parse_ruff_output(out: bytes, names: Mapping[str, str]) -> dict[str, list[RawFinding]]:
    """Turn ruff's JSON diagnostics into raw findings keyed by the caller's file keys.

    Syntax errors come back as SYNTAX_ERROR findings: the caller decides what they mean (see QLT001).
    """
    found: dict[str, list[RawFinding]] = {}
    for item in json.loads(out or b"[]"):
        code = item.get("code") or SYNTAX_ERROR
        path = names.get(item.get("filename", ""))
        if path is None:
            continue
        start, stop = item.get("location") or {}, item.get("end_location") or {}
        line = int(start.get("row", 0))
        end = int(stop.get("row", line))
        column, end_column = int(start.get("column", 0)), int(stop.get("column", 0))
        name = str(item.get("name") or "")
        found.setdefault(path, []).append(RawFinding(code, line, str(item["message"]), end_line=end, name=name,
                                                     column=column, end_column=end_column))
    return found


FORWARD_REFERENCE = " in a string annotation: type checkers and get_type_hints() fail on it, running code does not"
_STRING_PREFIX = re.compile(r"[A-Za-z]*")  # b, r, u, f and their mixes
_Position = tuple[int, int]  # (1-based line, 0-based column), as tokenize gives them


def graded(found: list[RawFinding], text: str) -> list[RawFinding]:
    """Return ruff's findings of one file with undefined names inside plain strings (forward references) low.

    Ruff reads the names in string annotations (`Mapped["User"]`, `cast("Node", x)`): one no import
    defines breaks type checking, and `get_type_hints()`, but never an import or a call. SQLAlchemy
    resolves `Mapped["User"]` through its own registry (Pylons/pyramid 03e2e439f2 moved its tutorials
    to that idiom). A name inside an f-string's braces runs, and stays as ruff rates it.
    """
    if not any(f.code == UNDEFINED_NAME and f.column for f in found):
        return found
    spans = _plain_string_spans(text)
    return [_graded_undefined(f, spans) if f.code == UNDEFINED_NAME else f for f in found]


# Names only type checkers define: a file that uses them is a type checker's input, never run
# (sanic dc3c4d1393 added `tests/typing/samples/*.py` that `reveal_type(...)` what mypy infers).
TYPE_CHECKER_NAMES = ("`reveal_type`", "`reveal_locals`")
TYPE_CHECKER_INPUT = " (a name only type checkers define: the file is their input, not code that runs)"


def _graded_undefined(finding: RawFinding, spans: list[tuple[_Position, _Position]]) -> RawFinding:
    """Return an undefined name's finding, low when it is a forward reference or a type checker's own name."""
    if _inside(spans, (finding.line, finding.column - 1)):
        return dataclasses.replace(finding, severity=Severity.LOW, message=finding.message + FORWARD_REFERENCE)
    if finding.message.endswith(TYPE_CHECKER_NAMES):
        return dataclasses.replace(finding, severity=Severity.LOW, message=finding.message + TYPE_CHECKER_INPUT)
    return finding


def _plain_string_spans(text: str) -> list[tuple[_Position, _Position]]:
    """Return where each string literal of a file that is no f-string starts and ends (none if it does not tokenize)."""
    try:
        return [(token.start, token.end) for token in tokenize.generate_tokens(io.StringIO(text).readline)
                if token.type == tokenize.STRING and not _is_f_string(token.string)]
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError):
        return []


def _is_f_string(literal: str) -> bool:
    """Return whether a string literal's prefix (`f`, `rf`, `Fr`, ...) makes it an f-string."""
    prefix = _STRING_PREFIX.match(literal)
    return prefix is not None and "f" in prefix.group().lower()


def _inside(spans: list[tuple[_Position, _Position]], where: _Position) -> bool:
    """Return whether a position lies inside one of the spans."""
    return any(start < where < end for start, end in spans)
