"""Secret-looking names with literal values, shared by the Dockerfile and ConfigMap checks.

The rule is deliberately narrow (a false block is worse than a miss): the name's *last* word
must be a secret noun, so `PASSWORD_FILE`, `TOKEN_URL` or `SECRET_NAME` (references to a
secret) are not flagged, and the value must be a literal that is not a reference or a
placeholder.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_LAST_WORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "secret", "token", "apikey", "passphrase", "credential", "credentials"}
)
# `..._KEY` is a secret only with one of these before it (`API_KEY`, `SECRET_KEY`, `PRIVATE_KEY`).
_KEY_QUALIFIERS = frozenset({"api", "secret", "private", "signing", "encryption", "master"})
MIN_SECRET_LENGTH = 4
MIN_NUMERIC_SECRET_LENGTH = 6  # shorter numbers are lengths, lifetimes and ports
_PLACEHOLDER = re.compile(
    r"^(?:<.*>|\[.*\]|x+|\*+|\.+|-+|todo|tbd|none|null|nil|true|false|yes|no|changeit)$"
    r"|dummy|placeholder|example|change[-_]?me|replace[-_]?me|fake|not[-_]?a[-_]?secret|xxxx|^your[-_]",
    re.IGNORECASE,
)


def name_words(name: str) -> list[str]:
    """Split `DB_PASSWORD`, `db-password`, `dbPassword` or `db.password` into lower-case words."""
    return [w.lower() for w in _WORDS.findall(name)]


def is_secret_name(name: str) -> bool:
    """Return whether a variable or key name says it holds a secret value."""
    words = name_words(name)
    if not words:
        return False
    last = words[-1]
    if last == "pwd" and len(words) == 1:
        return False  # $PWD is the shell's working directory
    if last in _SECRET_LAST_WORDS:
        return True
    return last == "key" and any(w in _KEY_QUALIFIERS for w in words[:-1])


def is_literal_secret(value: object) -> bool:
    """Return whether a value looks like a real secret rather than a reference, path or placeholder."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return False
    text = str(value).strip().strip("'\"")
    if len(text) < MIN_SECRET_LENGTH or _PLACEHOLDER.search(text):
        return False
    if text.isdigit() and len(text) < MIN_NUMERIC_SECRET_LENGTH:
        return False
    if text.startswith(("$", "%", "/", "./", "~/", "file:", "vault:", "secret:", "arn:")):
        return False  # a reference to where the secret lives
    return "{{" not in text
