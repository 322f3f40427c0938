"""Turn a blob into text the way its kind's own tools would, or say why it cannot be read.

A file whose kind is known by its name (Python, YAML, JSON, TOML, Dockerfile, workflows) is judged as
that kind even when its bytes are odd: a Python module that Python refuses to import is a finding, not
a "binary" file whose old findings would then read as fixed.
"""

from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass

from app.checks.base import classify
from app.checks.quality.syntax_error import RULE as SYNTAX_ERROR
from app.engine.model import FileFacts, RawFinding

# Kinds a name decides, whose tools read the file whatever its bytes hold.
NAMED_KINDS = frozenset({"python", "yaml", "workflow", "json", "toml", "dockerfile"})
UNREADABLE = "unreadable"  # FileFacts.data key: why a named-kind file's bytes could not be read as text
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF8, "utf-8-sig"))


@dataclass(frozen=True)
class Decoded:
    """A blob read as text: `text` to analyse, or `facts` already judged, or `skipped` with a reason."""

    text: str = ""
    unreadable: str = ""  # set when `text` is a lossy reading of odd bytes
    facts: FileFacts | None = None
    skipped: str = ""


def decode(blob: bytes | None) -> tuple[str, str]:
    """Return a blob's text, or why it is skipped (missing, binary, not UTF-8)."""
    if blob is None:
        return "", "blob missing"
    if b"\0" in blob[:8192]:
        return "", "binary"
    try:
        return blob.decode("utf-8"), ""
    except UnicodeDecodeError:
        return "", "not UTF-8"


def decode_file(path: str, blob: bytes | None) -> Decoded:
    """Return how one file is read: as text, as an unreadable file of its kind, or skipped."""
    text, reason = decode(blob)
    if not reason:
        return Decoded(text=text)
    kind = classify(path)
    if blob is None or kind not in NAMED_KINDS:
        return Decoded(skipped=reason)
    if kind == "python":
        return _python(path, blob)
    return _lenient(blob)


def _python(path: str, blob: bytes) -> Decoded:
    """Read Python source as the interpreter does (PEP 263); a file it refuses to import is QLT001."""
    why = "it holds NUL bytes" if b"\0" in blob else ""
    if not why:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(blob).readline)
            return Decoded(text=blob.decode(encoding))
        except (SyntaxError, UnicodeDecodeError, LookupError):
            why = "it is not UTF-8 and declares no coding that decodes it"
    loose = _loose_text(blob)
    finding = RawFinding(SYNTAX_ERROR.code, 0, f"file cannot be read as Python source ({why})",
                         snippet="syntax-error")
    lines = sum(1 for line in loose.splitlines() if line.strip())
    facts = FileFacts(path=path, kind="python", loc=lines, findings=[finding], data={UNREADABLE: why})
    return Decoded(facts=facts)


def _lenient(blob: bytes) -> Decoded:
    """Read a data or config file as its parsers would: by its byte-order mark, else as lossy UTF-8."""
    for bom, encoding in _BOMS:
        if blob.startswith(bom):
            try:
                return Decoded(text=blob.decode(encoding))
            except UnicodeDecodeError:
                break
    return Decoded(text=blob.decode("utf-8", "replace"), unreadable="its bytes are not valid UTF-8 text")


def _loose_text(blob: bytes) -> str:
    """Return a best-effort reading of odd bytes, only to count lines."""
    for bom, encoding in _BOMS:
        if blob.startswith(bom):
            return blob.decode(encoding, "replace")
    return blob.replace(b"\0", b"").decode("utf-8", "replace")
