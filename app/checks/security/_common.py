"""Helpers shared by the security checks: path context, value truthiness, masking and line lookup."""

from __future__ import annotations

import bisect
import functools
import hashlib
import re

from app.engine.model import Severity

# Path words (split on `/`, `.`, `_`, `-`) that mark test code, and local or documentation set-ups.
TEST_WORDS = frozenset(
    {"test", "tests", "testing", "spec", "specs", "fixture", "fixtures", "testdata", "conftest", "e2e", "mock", "mocks"}
)
DEV_WORDS = frozenset(
    {"dev", "develop", "development", "local", "example", "examples", "sample", "samples", "demo", "demos",
     "doc", "docs", "override", "sandbox", "playground", "tutorial"}
)
# File-name words of templates that users copy and fill in (`.env.example`, `config.sample.yml`).
TEMPLATE_WORDS = frozenset({"example", "examples", "sample", "samples", "template", "templates", "dist", "tmpl", "tpl"})

# Free-form text files that hold settings (as opposed to source code of other languages).
CONFIG_EXTENSIONS = (".ini", ".cfg", ".conf", ".properties", ".npmrc", ".pypirc", ".sh", ".bash", ".zsh", ".envrc")
CONFIG_NAMES = frozenset({"procfile"})

# Said of every committed secret, and so of a fixed one too: deleting the line does not unleak it.
HISTORY_NOTE = "Once committed it stays in git history, also after this line is removed: rotate it."

# Said of literal credentials in test code, which are listed but do not weigh on the score.
FIXTURE_NOTE = "In test code this is taken for a fixture: listed, not scored; if it is live, rotate it."

TRUTHY = frozenset({"true", "yes", "on", "1", "y"})
FALSY = frozenset({"false", "no", "off", "0", "n"})

_PATH_SPLIT = re.compile(r"[/._\-]+")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def path_words(path: str) -> set[str]:
    """Return the lower-case words of a path."""
    return {w for w in _PATH_SPLIT.split(path.lower()) if w}


def is_test_path(path: str) -> bool:
    """Return whether a path looks like test code or test data."""
    return bool(path_words(path) & TEST_WORDS)


def is_dev_path(path: str) -> bool:
    """Return whether a path looks like tests, local development or documentation."""
    return bool(path_words(path) & (TEST_WORDS | DEV_WORDS))


def is_template_path(path: str) -> bool:
    """Return whether a file's name marks it as a template meant to be copied and filled in."""
    return bool(path_words(path.rsplit("/", 1)[-1]) & TEMPLATE_WORDS)


def is_config_text(name: str) -> bool:
    """Return whether a free-form text file's name says it holds settings or shell (`app.ini`, `.npmrc`)."""
    lower = name.lower()
    return lower.endswith(CONFIG_EXTENSIONS) or lower.startswith(".") or lower in CONFIG_NAMES


def relaxed(path: str) -> Severity | None:
    """Return `low` for tests and development set-ups, where a risky setting harms no deployment."""
    return Severity.LOW if is_dev_path(path) else None


@functools.lru_cache(maxsize=4096)
def name_words(name: str) -> tuple[str, ...]:
    """Split `DB_PASSWORD`, `db-password`, `dbPassword` or `db.password` into lower-case words."""
    return tuple(w.lower() for w in _WORDS.findall(name))


@functools.lru_cache(maxsize=4096)
def squash(name: str) -> str:
    """Return a key lower-cased with separators removed (`insecure-skip-verify` -> `insecureskipverify`)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_truthy(value: str) -> bool:
    """Return whether a configuration value switches something on."""
    return value.strip().strip("'\"").lower() in TRUTHY


def is_falsy(value: str) -> bool:
    """Return whether a configuration value switches something off."""
    return value.strip().strip("'\"").lower() in FALSY


def digest(value: str) -> str:
    """Return a short stable hash of a value, so fingerprints never hold the value itself."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def secret_snippet(label: str, value: str) -> str:
    """Return a fingerprint snippet built from a name and the hash of a secret value."""
    return f"{label}#{digest(value)}"


def code_snippet(what: str, line_text: str) -> str:
    """Return a fingerprint snippet for a flagged line: what was found and a hash of the line's text.

    The hash, not the text, so a secret sharing the line never lands in the facts cache. White space
    and trailing commas are dropped first, so re-wrapping the code keeps the fingerprint.
    """
    return f"{what}#{digest(_TRAILING_COMMA.sub('', ''.join(line_text.split())))}"


_TRAILING_COMMA = re.compile(r",(?=[)\]}])")


class LineIndex:
    """Map character offsets of a text to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line(self, offset: int) -> int:
        """Return the line holding a character offset."""
        return bisect.bisect_right(self._starts, offset)
