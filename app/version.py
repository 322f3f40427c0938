"""Verity's own version, as every report states it."""

from __future__ import annotations

# The same as pyproject.toml's (a test holds them together). A constant rather than a lookup in the
# installed package's metadata: importing importlib.metadata alone cost a warm audit 30-odd ms.
VERSION = "0.1.0"


def verity_version() -> str:
    """Return Verity's version."""
    return VERSION
