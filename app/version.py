"""Verity's own version, as every report states it."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version


@functools.cache
def verity_version() -> str:
    """Return the installed version of Verity (`0+unknown` when it runs from a source tree only)."""
    try:
        return version("verity")
    except PackageNotFoundError:
        return "0+unknown"
