"""Installed and vendored trees, and the repository's own excludes: files that are not the project's code.

Installed trees are recognised by markers, never by a folder's name alone: a `pyvenv.cfg` (its
folder is an environment), a `site-packages` or `dist-packages` segment (under `X/lib/pythonN/` or
`X/Lib/`, all of `X` is the environment), `node_modules`, and `*.dist-info` / `*.egg-info` folders.
The repository's own marks count too: its ruff excludes (`exclude`, `extend-exclude`) leave out the
Python files ruff skips, its pre-commit config's top-level `exclude` the Python files every hook
skips (psf/black's `tests/data/`: formatter input, not code), and its root `.gitattributes` the
files it marks `linguist-vendored`.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.checks.base import Environment

ENVIRONMENT = "Python environment"
NODE_MODULES = "node_modules"
METADATA = "package metadata"
RUFF_EXCLUDE = "ruff exclude"
PRE_COMMIT_EXCLUDE = "pre-commit exclude"
LINGUIST = "linguist-vendored"
REPOSITORY_MARKS = frozenset({RUFF_EXCLUDE, PRE_COMMIT_EXCLUDE})  # the project's own code, left out by its say
# Where ruff reads its settings, and the table that holds them in each.
RUFF_CONFIGS = {"pyproject.toml": ("tool", "ruff"), "ruff.toml": (), ".ruff.toml": ()}
GITATTRIBUTES = ".gitattributes"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
ROOT_CONFIGS = frozenset({*RUFF_CONFIGS, GITATTRIBUTES, PRE_COMMIT_CONFIG})  # root files that may mark code
# The part of pre-commit's `exclude` regex read: alternatives of literal paths (`^(docs/|tests/data/)`).
# A pattern with anything else is ignored whole: the regex is the audited repository's, never run.
_LITERAL = re.compile(r"\^?[\w./-]+")
# What a root-level environment adds to a repository (its root is the project's own too).
ROOT_ENV_DIRS = frozenset({"bin", "Scripts", "lib", "Lib", "lib64", "include", "Include", "share"})
_LIB_PYTHON = re.compile(r"python\d+(\.\d+)?t?")
MAX_CONFIG_BYTES = 200_000


@dataclass
class LeftOut:
    """Which paths of a tree are not the project's code, why, and the environments committed in it."""

    reasons: dict[str, str] = field(default_factory=dict)  # path -> why it is left out
    environments: tuple[Environment, ...] = ()

    def installed(self) -> frozenset[str]:
        """Return the paths of installed trees (not the repository's own excludes)."""
        return frozenset(p for p, why in self.reasons.items() if why not in REPOSITORY_MARKS)


def left_out(paths: Iterable[str], configs: Mapping[str, bytes]) -> LeftOut:
    """Return the paths that installed trees or the repository's ruff excludes leave out of judging."""
    ordered = sorted(paths)
    roots = _environment_roots(ordered)
    patterns = ruff_excludes(configs)
    hooks_skip = pre_commit_excludes(configs.get(PRE_COMMIT_CONFIG))
    attributes = vendored_attributes(configs.get(GITATTRIBUTES))
    reasons: dict[str, str] = {}
    members: Counter[str] = Counter()
    by_folder: dict[str, str] = {}  # a tree has far fewer folders than files: judge each folder once
    for path in ordered:
        root = _root_of(path, roots)
        if root is not None:
            reasons[path] = ENVIRONMENT
            members[root] += 1
            continue
        folder = path.rpartition("/")[0]
        segment = by_folder.get(folder)
        if segment is None:
            segment = by_folder[folder] = _installed_segment(path)
        why = segment or (LINGUIST if _attributed(path, attributes) else "")
        why = why or (RUFF_EXCLUDE if _ruff_excluded(path, patterns) else "")
        why = why or (PRE_COMMIT_EXCLUDE if _hooks_skip(path, hooks_skip) else "")
        if why:
            reasons[path] = why
    environments = tuple(Environment(root, marker, members[root]) for root, marker in sorted(roots.items()))
    return LeftOut(reasons, environments)


def _environment_roots(paths: list[str]) -> dict[str, str]:
    """Return each committed Python environment's folder ("" for the repository root) and its marker file."""
    # The `pyvenv.cfg` is the marker a finding sits on, when there is one.
    roots = {path.rpartition("/")[0]: path for path in paths if path.rpartition("/")[2] == "pyvenv.cfg"}
    for path in paths:
        parts = path.split("/")
        for index, part in enumerate(parts[:-1]):
            if part in ("site-packages", "dist-packages"):
                root = _root_above(parts[:index])
                roots.setdefault("/".join(parts[: index + 1]) if root is None else root, path)
                break
    # An environment inside another is part of it.
    return {r: m for r, m in roots.items() if not any(r != o and _under(r, o) for o in roots)}


def _root_above(parts: list[str]) -> str | None:
    """Return the environment folder above `lib/pythonN/site-packages` or `Lib/site-packages`, if any."""
    if len(parts) >= 2 and parts[-2] in ("lib", "lib64") and _LIB_PYTHON.fullmatch(parts[-1]):
        return "/".join(parts[:-2])
    if len(parts) >= 1 and parts[-1] == "Lib":
        return "/".join(parts[:-1])
    return None


def _root_of(path: str, roots: Mapping[str, str]) -> str | None:
    """Return the environment a path belongs to, or None."""
    for root in roots:
        if root == "":
            if ("/" in path and path.split("/", 1)[0] in ROOT_ENV_DIRS) or path == "pyvenv.cfg":
                return root
        elif _under(path, root):
            return root
    return None


def _under(path: str, folder: str) -> bool:
    """Return whether a path lies inside a folder (a non-empty one)."""
    return bool(folder) and path.startswith(folder + "/")


def _installed_segment(path: str) -> str:
    """Return why a folder on a path marks an installed tree, or an empty string."""
    for part in path.split("/")[:-1]:
        if part in ("site-packages", "dist-packages"):
            return ENVIRONMENT
        if part == "node_modules":
            return NODE_MODULES
        if part.endswith((".dist-info", ".egg-info")):
            return METADATA
    return ""


def ruff_excludes(configs: Mapping[str, bytes]) -> tuple[str, ...]:
    """Return the `exclude`, `extend-exclude` and `lint.exclude` globs of the repository's root ruff settings."""
    for name, table in RUFF_CONFIGS.items():
        raw = configs.get(name)
        if raw is None or len(raw) > MAX_CONFIG_BYTES:
            continue
        try:
            data: object = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
            continue
        for key in table:
            data = data.get(key) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            continue
        lint = data.get("lint")
        globs = [g for key in ("exclude", "extend-exclude") for g in _strings(data.get(key))]
        globs += _strings(lint.get("exclude")) if isinstance(lint, dict) else []  # lint-only excludes
        cleaned = [g.strip().removeprefix("./").rstrip("/") for g in globs if g.strip().strip("./")]
        return tuple(variant for glob in cleaned for variant in _zero_depth_variants(glob))
    return ()


def _zero_depth_variants(glob: str) -> list[str]:
    """Return a glob and, as ruff's globs read `**/`, its forms where a `**/` matches no folder at all.

    pylint excludes `tests/**/functional/`, which holds `tests/functional/`: fnmatch's `*` needs the
    folder separators on both sides, so the variant without the `**/` is tried as well.
    """
    variants = [glob]
    if "/**/" in glob:
        variants.append(glob.replace("/**/", "/"))
    if glob.startswith("**/") and len(glob) > 3:
        variants.append(glob[3:])
    return variants


def _strings(value: object) -> list[str]:
    """Return a TOML value's strings when it is a list of them."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _ruff_excluded(path: str, patterns: tuple[str, ...]) -> bool:
    """Return whether ruff's excludes skip a Python file: a bare name matches any segment, a path the prefix."""
    if not patterns or not path.endswith((".py", ".pyi")):
        return False
    parts = path.split("/")
    for index, name in enumerate(parts):
        prefix = "/".join(parts[: index + 1])
        for pattern in patterns:
            target = prefix if "/" in pattern else name
            if fnmatch.fnmatchcase(target, pattern):
                return True
    return False


def pre_commit_excludes(raw: bytes | None) -> tuple[str, ...]:
    """Return the paths a pre-commit config's top-level `exclude` names (`^` first when anchored), if literal."""
    if raw is None or len(raw) > MAX_CONFIG_BYTES:
        return ()
    pattern = _top_level_exclude(raw.decode("utf-8", "replace"))
    if not pattern or len(pattern) > 500:
        return ()
    if pattern.startswith("^(") and pattern.endswith(")"):  # `^(a/|b/)`: each alternative anchored
        alternatives = ["^" + a for a in pattern[2:-1].split("|")]
    else:
        alternatives = pattern.split("|")
    if not all(_LITERAL.fullmatch(a) for a in alternatives):
        return ()
    # A literal's dot is any character to the regex: only paths it names literally are read as such.
    return tuple(a for a in alternatives if a.strip("^./"))


def _top_level_exclude(text: str) -> str:
    """Return the top-level `exclude:` of a pre-commit config, read line-wise (no YAML load of hostile text)."""
    for line in text.splitlines():
        if line.startswith("exclude:"):
            value = line.split(":", 1)[1].split(" #", 1)[0].strip()
            return value.strip("'\"") if value[:1] in "'\"" else value
    return ""


def _hooks_skip(path: str, alternatives: tuple[str, ...]) -> bool:
    """Return whether pre-commit's `exclude` matches a Python file (anchored: a prefix; else anywhere)."""
    if not alternatives or not path.endswith((".py", ".pyi")):
        return False
    return any(path.startswith(a[1:]) if a.startswith("^") else a in path for a in alternatives)


def vendored_attributes(raw: bytes | None) -> list[tuple[str, bool]]:
    """Return the root `.gitattributes` patterns that set (True) or unset (False) `linguist-vendored`."""
    if raw is None or len(raw) > MAX_CONFIG_BYTES:
        return []
    rules = []
    for line in raw.decode("utf-8", "replace").splitlines():
        fields = line.split()
        if len(fields) < 2 or fields[0].startswith("#"):
            continue
        for attribute in fields[1:]:
            if attribute in ("linguist-vendored", "linguist-vendored=true"):
                rules.append((fields[0], True))
            elif attribute in ("-linguist-vendored", "!linguist-vendored", "linguist-vendored=false"):
                rules.append((fields[0], False))
    return rules


def _attributed(path: str, rules: list[tuple[str, bool]]) -> bool:
    """Return whether the last `.gitattributes` rule matching a path marks it vendored."""
    vendored = False
    for pattern, value in rules:
        if _attribute_matches(path, pattern):
            vendored = value
    return vendored


def _attribute_matches(path: str, pattern: str) -> bool:
    """Match a path as git matches a `.gitattributes` pattern: a bare name at any depth, else from the root."""
    if "/" not in pattern:
        return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)
    pattern = pattern.lstrip("/")
    return fnmatch.fnmatchcase(path, pattern) or (pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:]))


def note(reasons: Mapping[str, str], environments: Iterable[Environment]) -> str:
    """Return the report's note on what was left out, with counts, or an empty string."""
    if not reasons:
        return ""
    counts = Counter(reasons.values())
    parts = [f"{counts[why]} {label}" for why, label in _LABELS.items() if counts[why]]
    envs = [f"{e.root or '.'}/" for e in environments]
    shown = f" (environments: {', '.join(envs[:5])}{' and more' if len(envs) > 5 else ''})" if envs else ""
    return f"{len(reasons)} files are not the project's code and were not judged: {', '.join(parts)}{shown}"


_LABELS = {
    ENVIRONMENT: "in installed Python environments",
    NODE_MODULES: "in node_modules",
    METADATA: "in installed package metadata (*.dist-info, *.egg-info)",
    LINGUIST: "marked linguist-vendored in .gitattributes",
    RUFF_EXCLUDE: "Python files the repository's ruff settings exclude",
    PRE_COMMIT_EXCLUDE: "Python files every pre-commit hook of the repository skips",
}
