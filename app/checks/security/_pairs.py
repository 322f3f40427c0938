"""Literal `name = value` settings of any file kind, with their lines, for the security checks.

Python assignments, keywords, dict items and setter calls; YAML and JSON mappings (including
Kubernetes `name`/`value` env lists and compose `KEY=value` lists); TOML, `.env`, Dockerfile
`ENV`/`ARG` and `key = value` lines of any other text. Only literal values are kept: an expression
(`os.environ["X"]`, `settings.X`, an f-string) is never a hard-coded value.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.checks.base import FileContext, per_file, yaml_too_deep
from app.checks.security._common import is_config_text

MAX_VALUE = 4096


@dataclass(frozen=True)
class Pair:
    """One literal setting: where it is, its name and its value as text."""

    line: int
    key: str
    value: str
    # A string in the source, as opposed to a number, a boolean or a bare word of code.
    quoted: bool
    # Pairs with the same scope are siblings: one mapping, dict or call, or the whole file.
    scope: int
    # How the pair was written: python `name`, `attr`, `subscript`, `keyword`, `dict`, `call`,
    # `default`; or `yaml`, `json`, `toml`, `env`, `dockerfile`, `text`.
    origin: str
    # The mapping keys above the pair in YAML and JSON documents.
    parents: tuple[str, ...] = ()
    # The value's syntax node, for Python pairs.
    node: ast.AST | None = field(default=None, compare=False, repr=False)


@per_file
def pairs(ctx: FileContext) -> list[Pair]:
    """Return the file's literal settings, computed once per file for all security checks."""
    return [p for p in _extract(ctx) if len(p.value) <= MAX_VALUE]


def _extract(ctx: FileContext) -> list[Pair]:
    """Dispatch on the file kind."""
    if ctx.kind == "python":
        return python_pairs(ctx)
    if ctx.kind in ("yaml", "workflow", "json"):
        # Imported on first use: the YAML walk needs PyYAML, which a change with no YAML or JSON never loads.
        from app.checks.security._yaml_pairs import yaml_pairs

        structured = None if _read_by_lines(ctx) else yaml_pairs(ctx.text, ctx.kind)
        return structured if structured is not None else list(line_pairs(ctx.lines, ctx.kind))
    if ctx.kind == "env":
        return list(env_pairs(ctx.lines))
    if ctx.kind == "dockerfile":
        return list(dockerfile_pairs(ctx.lines))
    if ctx.kind == "requirements":
        return []
    return list(line_pairs(ctx.lines, ctx.kind))


# A JSON file this large is data (fixtures, icon sets, API dumps): composing it as YAML costs about a
# second per 700 kB, so its pairs are read line by line, as for a file that does not parse.
STRUCTURED_JSON_LIMIT = 64_000


def _read_by_lines(ctx: FileContext) -> bool:
    """Return whether a YAML or JSON file's pairs are read line by line rather than parsed."""
    return (ctx.kind == "json" and len(ctx.text) > STRUCTURED_JSON_LIMIT) or yaml_too_deep(ctx.text)


def is_code_word(ctx: FileContext, pair: Pair) -> bool:
    """Return whether an unquoted value of a code-like text file is a word of code, not a literal.

    In TypeScript, Go or Java `password: string` is a type and `password = await resolve()` a call;
    shell and INI lines (`API_TOKEN=...`, `.npmrc`) write literals bare.
    """
    if pair.quoted or ctx.kind not in ("text", "markdown"):
        return False
    return not (pair.key.isupper() or is_config_text(ctx.name))


# --- Python -------------------------------------------------------------------------------------

# Calls whose last two string arguments are a name and its value (`os.environ.setdefault("K", "v")`,
# `resp.set_header("Access-Control-Allow-Origin", "*")`, `parser.set("db", "password", "x")`).
SETTERS = frozenset(
    {"set", "setdefault", "putenv", "setenv", "set_header", "add_header", "send_header", "putheader",
     "add", "append", "set_option", "setHeader", "header"}
)


def literal_texts(node: ast.AST) -> list[tuple[str, bool]]:
    """Return a literal's values as (text, is_string); a list or tuple of literals gives one per item."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [t for item in node.elts if isinstance(item, ast.Constant) for t in literal_texts(item)]
    if not isinstance(node, ast.Constant):
        return []
    value = node.value
    if isinstance(value, str):
        return [(value, True)]
    if isinstance(value, bool):
        return [("true" if value else "false", False)]
    if isinstance(value, (int, float)):
        return [(str(value), False)]
    return []


def target_key(target: ast.AST) -> tuple[str, str] | None:
    """Return (name, origin) of an assignment target: a name, an attribute or a string subscript."""
    if isinstance(target, ast.Name):
        return target.id, "name"
    if isinstance(target, ast.Attribute):
        return target.attr, "attr"
    if isinstance(target, ast.Subscript):
        index = target.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            return index.value, "subscript"
    return None


def python_pairs(ctx: FileContext) -> list[Pair]:
    """Return the literal settings of a Python file."""
    found: list[Pair] = []
    for assign in ctx.nodes(ast.Assign):
        for target in assign.targets:
            _add_pair(found, target_key(target), assign.value, 0)
    for annotated in ctx.nodes(ast.AnnAssign):
        if annotated.value is not None:
            _add_pair(found, target_key(annotated.target), annotated.value, 0)
    for call in ctx.nodes(ast.Call):
        scope = id(call)
        for kw in call.keywords:
            if kw.arg is not None:
                _add_pair(found, (kw.arg, "keyword"), kw.value, scope)
        _add_setter_pair(found, call)
    for mapping in ctx.nodes(ast.Dict):
        for key, value in zip(mapping.keys, mapping.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                _add_pair(found, (key.value, "dict"), value, id(mapping))
    for arguments in ctx.nodes(ast.arguments):
        _add_default_pairs(found, arguments)
    return found


# The only nodes `literal_texts` finds values in: others are skipped before the call.
_LITERALS = (ast.Constant, ast.List, ast.Tuple, ast.Set)


def _add_pair(found: list[Pair], key: tuple[str, str] | None, value: ast.AST, scope: int) -> None:
    """Add one pair per literal value assigned to a name (this runs for every assignment and keyword)."""
    if key is None or not isinstance(value, _LITERALS):
        return
    for text, is_string in literal_texts(value):
        found.append(Pair(getattr(value, "lineno", 0), key[0], text, is_string, scope, key[1], node=value))


def _add_setter_pair(found: list[Pair], call: ast.Call) -> None:
    """Add the pair a setter call writes, when its last two arguments are strings."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in SETTERS or len(call.args) < 2:
        return
    key, value = call.args[-2], call.args[-1]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        _add_pair(found, (key.value, "call"), value, id(call))


def _add_default_pairs(found: list[Pair], arguments: ast.arguments) -> None:
    """Add the literal defaults of a function's parameters."""
    positional = [*arguments.posonlyargs, *arguments.args]
    with_defaults = positional[len(positional) - len(arguments.defaults):]
    for arg, default in zip(with_defaults, arguments.defaults, strict=True):
        _add_pair(found, (arg.arg, "default"), default, id(arguments))
    for arg, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if kw_default is not None:
            _add_pair(found, (arg.arg, "default"), kw_default, id(arguments))


# --- line-based kinds ---------------------------------------------------------------------------

# A key never gives back characters (`{0,100}+`): after a shorter key comes a key character, which no
# separator or closing quote can be, so backtracking could only fail, once per character of each word.
_KEY = r"""(?:(?P<q>["'])(?P<qkey>[A-Za-z_][\w.\-]{0,100}+)(?P=q)|(?P<key>[A-Za-z_$][\w.\-$]{0,100}+))\]?"""
_SEP = r"""\s*(?:=>|:=|(?<![=!<>:])=(?!=)|:(?![:/=]))\s*"""
_VALUE = (
    r"""(?P<value>"(?:[^"\\\n]|\\.){0,4096}"|'(?:[^'\\\n]|\\.){0,4096}'|`[^`\n]{0,4096}`"""
    r"""|\[[^\]\n]{0,4096}\]|[^\s,;'"`\])}{\[][^\s,;'"`\])}]{0,4095})"""
)
KEY_VALUE = re.compile(_KEY + _SEP + _VALUE)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*?)\s*$")
_QUOTES = "\"'`"


def unquote(raw: str) -> tuple[str, bool]:
    """Return a value without its surrounding quotes, and whether it had them."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in _QUOTES:
        return raw[1:-1], True
    return raw, False


def line_pairs(lines: list[str], kind: str) -> Iterator[Pair]:
    """Yield `key = value`, `key: value` and `"key": "value"` settings found on each line."""
    for number, line in enumerate(lines, start=1):
        if len(line) > 20000 or ("=" not in line and ":" not in line):
            continue
        for match in KEY_VALUE.finditer(line):
            key = match["qkey"] or match["key"]
            raw = match["value"]
            items = raw[1:-1].split(",") if raw.startswith("[") else [raw]
            for item in items:
                value, quoted = unquote(item.strip())
                if value or quoted:
                    yield Pair(number, key, value, quoted, 0, kind)


def env_pairs(lines: list[str]) -> Iterator[Pair]:
    """Yield the settings of a `.env` file (`KEY=value`, `export KEY="value"`)."""
    for number, line in enumerate(lines, start=1):
        match = _ENV_LINE.match(line)
        if match is None:
            continue
        value, quoted = unquote(_env_value(match[2]))
        yield Pair(number, match[1], value, quoted or bool(value), 0, "env")


def _env_value(raw: str) -> str:
    """Return a `.env` value without its trailing comment: `'v'  # note` gives `'v'`, `v # note` gives `v`."""
    closing = raw.find(raw[0], 1) if raw and raw[0] in _QUOTES else -1
    if closing > 0:
        return raw[:closing + 1]
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()


def dockerfile_pairs(lines: list[str]) -> Iterator[Pair]:
    """Yield the `ENV` and `ARG` settings of a Dockerfile, continuation lines included."""
    for number, instruction in logical_lines(lines):
        head, _, rest = instruction.strip().partition(" ")
        if head.upper() not in ("ENV", "ARG") or not rest.strip():
            continue
        try:
            words = shlex.split(rest, comments=False, posix=True)
        except ValueError:
            words = rest.split()
        if words and "=" not in words[0]:
            if head.upper() == "ENV" and len(words) > 1:  # legacy `ENV KEY value with spaces`
                yield Pair(number, words[0], " ".join(words[1:]), True, 0, "dockerfile")
            continue
        for word in words:
            key, sep, value = word.partition("=")
            if sep and key:
                yield Pair(physical_line(lines, number, key + "="), key, value, True, 0, "dockerfile")


def physical_line(lines: list[str], first: int, needle: str) -> int:
    """Return the line of a logical line (starting at `first`) that holds a piece of text."""
    for number in range(first, min(first + 200, len(lines) + 1)):
        if needle in lines[number - 1]:
            return number
        if not lines[number - 1].rstrip().endswith("\\"):
            break
    return first


def logical_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) of each logical line, joining lines that end with `\\`."""
    start, parts = 0, list[str]()
    for number, line in enumerate(lines, start=1):
        if not parts:
            start = number
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            parts.append(stripped[:-1])
            continue
        parts.append(line)
        yield start, " ".join(parts)
        parts = []
    if parts:
        yield start, " ".join(parts)
