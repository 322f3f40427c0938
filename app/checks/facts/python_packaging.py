"""Extractor `python.packaging`: which packages a `pyproject.toml` says the project builds, and `shipped`.

Data: `{"where": ["src"], "include": ["pkg", "pkg.*"], "exclude": ["pkg_benchmarks*"]}`: the folders
(relative to the pyproject's folder) that hold the packages, and fnmatch patterns over dotted package
names. Read from `[tool.setuptools.packages.find]` (`where`, `include`, `exclude`), `[tool.setuptools]
packages` (with `package-dir`), `[tool.hatch.build.targets.wheel] packages`, `[tool.poetry] packages`
and `[tool.flit.module] name`. None when the file declares none of them.

`shipped(view)` answers which Python files the project ships, for the metrics that judge product code
only (module test coverage, docstring coverage): never a file under a tooling folder (docs, examples,
scripts, benchmarks, `TOOLING_DIRS`, and folders named for benchmarks or examples such as `pkg_benchmarks`)
nor a top-level `dev/` or `bin/`; and, below a pyproject that
declares its packages, only files in a declared package that no `exclude` names.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.checks.base import Extractor, FileContext, RepoView
from app.checks.facts.python_modules import TOOLING_DIRS, per_view

KEY = "python.packaging"
KINDS = frozenset({"toml"})
# Top-level folders of developer tooling (below a package they may be shipped code: `app/dev/`).
TOP_TOOLING_DIRS = frozenset({"dev", "bin"})
# Words of folder names that hold benchmark suites or examples whatever the prefix (`kedro_benchmarks`,
# `asv_bench`, `pkg-examples`): never product code, even when a broad `include = ["pkg*"]` packages them.
SAMPLE_WORDS = frozenset({"bench", "benchmark", "benchmarks", "example", "examples"})
# The engine runs extractors unguarded: hostile input must yield "nothing known", never an exception.
HOSTILE_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)


def extract(ctx: FileContext) -> dict[str, Any] | None:
    """Return the packages a pyproject.toml declares, or None."""
    if ctx.name != "pyproject.toml":
        return None
    try:
        data = tomllib.loads(ctx.text)
        return _declared(_table(data.get("tool")))
    except (tomllib.TOMLDecodeError, *HOSTILE_ERRORS):
        return None


def _declared(tool: dict[str, Any]) -> dict[str, Any] | None:
    """Return the first packaging declaration found among the build tools' tables."""
    setuptools = _table(tool.get("setuptools"))
    packages = setuptools.get("packages")
    if isinstance(packages, dict):
        find = _table(packages.get("find"))
        return _result(_strings(find.get("where")) or ["."], _strings(find.get("include")) or ["*"],
                       _strings(find.get("exclude")))
    if isinstance(packages, list):
        where = _table(setuptools.get("package-dir")).get("", ".")
        return _result([str(where)], _with_children(_strings(packages)), [])
    wheel = _table(_table(_table(_table(tool.get("hatch")).get("build")).get("targets")).get("wheel"))
    if isinstance(wheel.get("packages"), list):
        return _from_paths(_strings(wheel.get("packages")))
    poetry = _table(tool.get("poetry"))
    if isinstance(poetry.get("packages"), list):
        entries = [_table(p) for p in poetry["packages"]]
        included = [e for e in entries if isinstance(e.get("include"), str)]
        return _from_paths([f"{e.get('from', '.')}/{e['include']}" for e in included])
    module = _table(_table(tool.get("flit")).get("module")).get("name")
    if isinstance(module, str):
        return _result(["."], _with_children([module]), [])
    return None


def _from_paths(paths: list[str]) -> dict[str, Any] | None:
    """Return a declaration from package folder paths (`src/pkg`): each folder's parent holds the package."""
    where: list[str] = []
    include: list[str] = []
    for path in paths:
        parent, _, name = path.strip("/").removesuffix(".py").rpartition("/")
        where.append(parent or ".")
        include.append(name)
    return _result(sorted(set(where)), _with_children(include), []) if include else None


def _with_children(names: list[str]) -> list[str]:
    """Return package names with patterns for their subpackages."""
    return [*names, *(f"{n}.*" for n in names)]


def _result(where: list[str], include: list[str], exclude: list[str]) -> dict[str, Any]:
    """Return the extractor's data, with `where` folders normalised (no `./`, no trailing slash)."""
    return {"where": [_folder(w) for w in where], "include": include, "exclude": exclude}


def _folder(path: str) -> str:
    """Return a relative folder without `./` and slashes at its ends; the root is an empty string."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/".join(parts)


def _table(value: Any) -> dict[str, Any]:
    """Return a TOML table, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    """Return the strings of a TOML array (a lone string counts as one)."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass(frozen=True)
class _Declaration:
    """One pyproject's declared packages, for paths below its folder."""

    root: str
    where: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    def ships(self, relative: str) -> bool:
        """Return whether a file (path relative to the pyproject's folder) is in a declared package."""
        for where in self.where:
            inside = relative if not where else relative.removeprefix(where + "/")
            if where and inside == relative:
                continue
            folders, _, name = inside.rpartition("/")
            package = folders.replace("/", ".")
            module = f"{package}.{name.split('.', 1)[0]}" if package else name.split(".", 1)[0]
            if any(_matches(n, self.include) for n in (package, module) if n) and not _matches(package, self.exclude):
                return True
        return False


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    """Return whether a dotted name matches one of setuptools-style fnmatch patterns."""
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


@per_view
def shipped(view: RepoView) -> Callable[[str], bool]:
    """Return a predicate telling which files of a snapshot the project ships (see the module docstring)."""
    declarations = sorted(
        (_Declaration(path.rpartition("/")[0], tuple(d["where"]), tuple(d["include"]), tuple(d["exclude"]))
         for path, facts in view.files.items() if isinstance(d := facts.data.get(KEY), dict)),
        key=lambda d: -len(d.root),
    )

    def ships(path: str) -> bool:
        parts = path.split("/")
        if any(p in TOOLING_DIRS or SAMPLE_WORDS & set(re.split(r"[-_.]", p.lower())) for p in parts[:-1]):
            return False
        if len(parts) > 1 and parts[0] in TOP_TOOLING_DIRS:
            return False
        for declaration in declarations:  # the nearest pyproject above the file decides
            if not declaration.root or path.startswith(declaration.root + "/"):
                relative = path[len(declaration.root) + 1:] if declaration.root else path
                return declaration.ships(relative)
        return True

    return ships


EXTRACTOR = Extractor(KEY, KINDS, extract)
