"""The Python version a project declares, read from its own ruff or packaging config in the tree."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping

from app.engine.snapshot import TreeEntry

# Verity parses with the `ast` of the Python it runs on; ruff parses any version.
RUNTIME_TARGET = "py311"
# The newest version this ruff accepts: code valid there is new syntax, not a syntax error.
NEWEST_TARGET = "py314"
_OLDEST_MINOR, _NEWEST_MINOR = 7, int(NEWEST_TARGET[3:])

# Ruff's own precedence in one folder, then the interpreter pin of pyenv and uv.
CONFIG_NAMES = (".ruff.toml", "ruff.toml", "pyproject.toml", ".python-version")
MAX_CONFIGS = 200  # a monorepo has a few dozen; more is a vendored tree, not the project's config
_LOWER_BOUND = re.compile(r"(>=|~=|==|>)\s*3\.(\d+)")


def config_entries(tree: Iterable[TreeEntry]) -> list[TreeEntry]:
    """Return the config files that may declare a Python version, shallowest first."""
    found = [e for e in tree if e.path.rsplit("/", 1)[-1] in CONFIG_NAMES and e.mode.startswith("100")
             and e.size <= 200_000]
    return sorted(found, key=_config_order)[:MAX_CONFIGS]


def _config_order(entry: TreeEntry) -> tuple[int, str, int]:
    """Order configs shallowest first, then by folder, then by ruff's precedence."""
    folder, _, name = entry.path.rpartition("/")
    return entry.path.count("/"), folder, CONFIG_NAMES.index(name)


def declared_targets(configs: Iterable[TreeEntry], blobs: Mapping[str, bytes]) -> dict[str, str]:
    """Return {folder: ruff target} for each config that declares a Python version ("" is the root)."""
    targets: dict[str, str] = {}
    for entry in configs:
        target = target_of(entry.path, blobs.get(entry.sha))
        folder = entry.path.rsplit("/", 1)[0] if "/" in entry.path else ""
        if target and folder not in targets:  # the first declaring config of a folder wins, as in ruff
            targets[folder] = target
    return targets


def target_of(path: str, raw: bytes | None) -> str:
    """Return the ruff target a config declares (`target-version`, else `requires-python`, or a pin), or ""."""
    if raw is None:
        return ""
    if path.endswith(".python-version"):
        pinned = re.match(r"\s*(?:c?python-?)?3\.(\d+)\b", raw.decode("utf-8", "replace"))
        return _clamp(int(pinned.group(1))) if pinned else ""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    ruff = data if not path.endswith("pyproject.toml") else _table(_table(data, "tool"), "ruff")
    version = ruff.get("target-version")
    if isinstance(version, str) and re.fullmatch(r"py3\d{1,2}", version):
        return _clamp(int(version[3:]))
    requires = _table(data, "project").get("requires-python")
    if isinstance(requires, str):
        minors = [int(m) + (op == ">") for op, m in _LOWER_BOUND.findall(requires)]
        if minors:
            return _clamp(min(minors))
    return ""


def target_finder(targets: Mapping[str, str]) -> Callable[[str], str]:
    """Return a function giving a file's target: its nearest declaring folder's, else ""."""
    def find(path: str) -> str:
        folder = path
        while "/" in folder:
            folder = folder.rsplit("/", 1)[0]
            if folder in targets:
                return targets[folder]
        return targets.get("", "")
    return find


def _table(data: Mapping[str, object], key: str) -> dict[str, object]:
    """Return a TOML sub-table, or an empty one when absent or not a table."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _clamp(minor: int) -> str:
    """Return the ruff target of a Python 3 minor version, within what ruff accepts."""
    return f"py3{min(max(minor, _OLDEST_MINOR), _NEWEST_MINOR)}"
