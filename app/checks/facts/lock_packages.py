"""Extractor `lock.packages`: the distributions a lock file pins (uv, poetry, pdm, Pipfile, pip-tools).

Data: the sorted, normalised names, or None for other files. A lock file installs what it pins, so a
package it names is present where the suite runs, declared directly or not.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.checks.base import ANY_TEXT, Extractor, FileContext
from app.checks.dependencies.requirements import normalize

KEY = "lock.packages"
TOML_LOCKS = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "pylock.toml"})
MAX_NAMES = 5000
_TOML_NAME = re.compile(r'^name\s*=\s*"([A-Za-z0-9_.-]+)"', re.M)
_PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\[[^\]]*\])?\s*==", re.M)


def is_lock_file(path: str) -> bool:
    """Return whether a path is a lock file this extractor reads."""
    name = path.rsplit("/", 1)[-1].lower()
    return name in TOML_LOCKS or name == "pipfile.lock" or (name.startswith("requirements") and name.endswith(".lock"))


def extract(ctx: FileContext) -> list[str] | None:
    """Return the distributions a lock file pins."""
    name = ctx.name.lower()
    if name in TOML_LOCKS:
        found = set(_TOML_NAME.findall(ctx.text))
    elif name == "pipfile.lock":
        found = _pipfile(ctx.text)
    elif is_lock_file(ctx.path):
        found = set(_PINNED.findall(ctx.text))
    else:
        return None
    return sorted(normalize(n) for n in found)[:MAX_NAMES]


def _pipfile(text: str) -> set[str]:
    """Return the package names of a Pipfile.lock's sections."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return set()
    if not isinstance(data, dict):
        return set()
    return {k for section in ("default", "develop") if isinstance(data.get(section), dict) for k in data[section]}


EXTRACTOR = Extractor(KEY, ANY_TEXT, extract)
