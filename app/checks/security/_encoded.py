"""Secrets committed in base64: decode whole files and long values, layer by layer, for the secret checks.

A kubeconfig pasted as base64, a Kubernetes Secret whose value is a whole `.env` or a PEM key, a CI
variable holding a base64 service-account file: the secret checks read the decoded text as well, and
report what they find at the original location, saying it was found inside the encoding.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from app.checks.base import FileContext, per_file, yaml_too_deep
from app.checks.security._common import is_config_text
from app.checks.security._pairs import pairs
from app.engine.model import RawFinding

# Values shorter than this are Kubernetes Secret data that SEC001 already judges on what they decode to.
MIN_ENCODED = 40
# Bounds: how many layers of base64 inside base64, and how much decoded text in all, per file.
MAX_DEPTH = 3
MAX_DECODED = 512_000
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_WHITESPACE = re.compile(r"\s+")
_LOOKS_ENCODED = re.compile(r"[A-Za-z0-9+/=\s]*")
# Kinds whose values may be whole encoded files.
VALUE_KINDS = frozenset({"yaml", "workflow", "json", "env", "toml"})


@dataclass(frozen=True)
class Layer:
    """Decoded text found in a file: where it was (line and what held it) and the text as a file."""

    line: int
    where: str
    ctx: FileContext


@per_file
def encoded_layers(ctx: FileContext) -> list[Layer]:
    """Return every decoded layer of a file, nested ones included, within the size and depth bounds."""
    found: list[Layer] = []
    budget = [MAX_DECODED]
    _collect(ctx, 1, "", 1, found, budget)
    return found


def _collect(ctx: FileContext, line: int, where: str, depth: int, found: list[Layer], budget: list[int]) -> None:
    """Add the layers directly inside `ctx`, then theirs, depth first."""
    if depth > MAX_DEPTH:
        return
    for inner_line, what, text in _encoded_parts(ctx):
        if len(text) > budget[0]:
            return
        budget[0] -= len(text)
        # A nested layer has no lines of its own in the file: it sits where its outermost layer is.
        at = line if depth > 1 else inner_line
        label = f"{where} > {what}" if where else what
        layer = Layer(at, label, FileContext(ctx.path, text, kind=_kind_of(text)))
        found.append(layer)
        _collect(layer.ctx, at, label, depth + 1, found, budget)


def _encoded_parts(ctx: FileContext) -> Iterator[tuple[int, str, str]]:
    """Yield (line, what held it, decoded text) for the whole file and for its long encoded values."""
    whole = decode_text(ctx.text)
    if whole is not None:
        yield 1, "base64-encoded file", whole
        return
    if ctx.kind not in VALUE_KINDS and not (ctx.kind == "text" and is_config_text(ctx.name)):
        return
    for pair in pairs(ctx):
        if len(pair.value) >= MIN_ENCODED:
            text = decode_text(pair.value)
            if text is not None:
                yield pair.line, f"base64 value of `{pair.key}`", text


def decode_text(value: str) -> str | None:
    """Return the text a base64 string encodes, or None when it is not base64 of printable text."""
    if not _LOOKS_ENCODED.fullmatch(value[:256]):
        return None  # cheap early exit: almost every file fails on its first line
    compact = _WHITESPACE.sub("", value)
    if len(compact) < MIN_ENCODED or len(compact) > MAX_DECODED * 2 or len(compact) % 4:
        return None
    if not _BASE64.fullmatch(compact):
        return None
    try:
        text = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return text if text.strip() and printable >= 0.95 * len(text) else None


def _kind_of(text: str) -> str:
    """Return the kind decoded text is judged as: JSON, YAML mappings, `KEY=value` lines, or plain text."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "json"
    if "-----BEGIN" in text:
        return "text"
    if _is_env(text):
        return "env"
    if ":" in text and not yaml_too_deep(text):
        import yaml  # imported on first use: a change with no YAML file never needs PyYAML, ~15 ms to import

        try:
            docs = list(yaml.safe_load_all(text))
        except (yaml.YAMLError, RecursionError, ValueError):
            return "text"
        if any(isinstance(doc, dict) for doc in docs):
            return "yaml"
    return "text"


_ENV_LINE = re.compile(r"^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*=")


def _is_env(text: str) -> bool:
    """Return whether most non-comment lines of a text are `KEY=value`."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return bool(lines) and sum(1 for line in lines if _ENV_LINE.match(line)) >= 0.8 * len(lines)


Finder = Callable[[FileContext], Iterable[RawFinding]]


def with_encoded(find: Finder) -> Callable[[FileContext], Iterator[RawFinding]]:
    """Wrap a secret check so it also reads every base64 layer, reporting at the layer's place in the file."""

    def find_all(ctx: FileContext) -> Iterator[RawFinding]:
        yield from find(ctx)
        for layer in encoded_layers(ctx):
            for finding in find(layer.ctx):
                yield replace(
                    finding, line=layer.line, end_line=0, message=f"inside the {layer.where}: {finding.message}",
                    snippet=f"base64:{layer.where}:{finding.snippet}",
                )

    find_all.__doc__ = find.__doc__
    return find_all
