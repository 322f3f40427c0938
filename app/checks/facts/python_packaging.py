"""Extractor `python.packaging`: the packages a project's build configuration declares, and `shipped`.

Read from a folder's `pyproject.toml`, `setup.py` and `setup.cfg`, by their text alone (`setup.py` is
parsed, never run: see `setuptools_config`). Data, or None when a file declares nothing:

```
{"packages": {"names": ["a", "a.b"]}
           | {"where": ["src"], "include": ["pkg*"], "exclude": ["pkg_benchmarks*"], "namespaces": True,
              "modules": ["src/mod"]}           # folders searched, fnmatch patterns over dotted names
           | "unknown",
 "py_modules": ["mod"] | "unknown", "package_dir": "src" | "unknown",
 "setuptools": False}                            # pyproject.toml: its build tool never reads setup.py/.cfg
```

`pyproject.toml` gives `[tool.setuptools] packages` (a list, or `packages.find`: `where`, `include`,
`exclude`, `namespaces`), `py-modules` and `package-dir`; failing those, the packages of
`[tool.hatch.build.targets.wheel]`, `[tool.poetry]` or `[tool.flit.module]`, whose builds never read
`setup.py` nor `setup.cfg` (nor do builds whose `build-backend` is not setuptools).

Each option is taken as setuptools takes it: `pyproject.toml`'s `[tool.setuptools]` overrides the
`setup()` arguments, which setup.cfg's `[options]` only fill when unset (setuptools' `Distribution`
applies setup.cfg's options only where `setup()` left them empty, then sets pyproject's over both). An
option that only running `setup.py` would tell leaves the folder's packages unknown, as if undeclared.

`shipped(view)` answers which Python files the project ships, for the metrics that judge product code
only (module test coverage, docstring coverage): never a file under a tooling folder (docs, examples,
scripts, benchmarks, `TOOLING_DIRS`, and folders named for benchmarks or examples such as `pkg_benchmarks`)
nor a top-level `dev/` or `bin/`; and, below a folder whose configuration declares its packages, only
what setuptools would build: files of a declared package that no `exclude` names (with `find_packages`,
only folders holding an `__init__.py` down from `where`; never a folder with a dot in its name), and the
declared single-file modules. A module beside the packages (a `setup.py`, a `noxfile.py`) is not in one.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.checks.base import Extractor, FileContext, RepoView
from app.checks.facts.python_modules import TOOLING_DIRS, per_view
from app.checks.facts.setuptools_config import (
    OPTIONS,
    UNKNOWN,
    read_setup_cfg,
    read_setup_py,
    root_folder,
)

KEY = "python.packaging"
KINDS = frozenset({"toml", "python", "text"})
# The files that declare a folder's packages, highest precedence first (see the module docstring).
SOURCES = ("pyproject.toml", "setup.py", "setup.cfg")
# Top-level folders of developer tooling (below a package they may be shipped code: `app/dev/`).
TOP_TOOLING_DIRS = frozenset({"dev", "bin"})
# Words of folder names that hold benchmark suites or examples whatever the prefix (`kedro_benchmarks`,
# `asv_bench`, `pkg-examples`): never product code, even when a broad `include = ["pkg*"]` packages them.
SAMPLE_WORDS = frozenset({"bench", "benchmark", "benchmarks", "example", "examples"})
# The engine runs extractors unguarded: hostile input must yield "nothing known", never an exception.
HOSTILE_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)


def extract(ctx: FileContext) -> dict[str, Any] | None:
    """Return the package options a pyproject.toml, setup.py or setup.cfg declares, or None."""
    try:
        if ctx.name == "pyproject.toml":
            return _pyproject(tomllib.loads(ctx.text))
        if ctx.name == "setup.py":
            return read_setup_py(ctx)
        if ctx.name == "setup.cfg":
            return read_setup_cfg(ctx)
    except (tomllib.TOMLDecodeError, *HOSTILE_ERRORS):
        return None
    return None


def _pyproject(data: dict[str, Any]) -> dict[str, Any] | None:
    """Return a pyproject's package options, and whether its build reads setup.py and setup.cfg."""
    options = _declared(_table(data.get("tool")))
    if not _builds_with_setuptools(_table(data.get("build-system"))):
        options["setuptools"] = False
    return options or None


def _builds_with_setuptools(build_system: dict[str, Any]) -> bool:
    """Return whether the build backend is setuptools: the default, or an in-tree one (they wrap it)."""
    backend = build_system.get("build-backend")
    if not isinstance(backend, str) or build_system.get("backend-path"):
        return True
    return re.split(r"[.:]", backend.strip(), maxsplit=1)[0] == "setuptools"


def _declared(tool: dict[str, Any]) -> dict[str, Any]:
    """Return the package options of `[tool.setuptools]`, else of the first other build tool that names some."""
    setuptools = _setuptools_options(_table(tool.get("setuptools")))
    if "packages" in setuptools or "py_modules" in setuptools:
        return setuptools
    wheel = _table(_table(_table(_table(tool.get("hatch")).get("build")).get("targets")).get("wheel"))
    poetry = _table(tool.get("poetry"))
    module = _table(_table(tool.get("flit")).get("module")).get("name")
    if isinstance(wheel.get("packages"), list):
        paths = _strings(wheel.get("packages"))
    elif isinstance(poetry.get("packages"), list):
        entries = [_table(p) for p in poetry["packages"]]
        paths = [f"{e.get('from', '.')}/{e['include']}" for e in entries if isinstance(e.get("include"), str)]
    elif isinstance(module, str):
        paths = [module]
    else:
        return setuptools
    return {"packages": _from_paths(paths), "setuptools": False} if paths else setuptools


def _setuptools_options(table: dict[str, Any]) -> dict[str, Any]:
    """Return the package options of a `[tool.setuptools]` table."""
    options: dict[str, Any] = {}
    packages = table.get("packages")
    if isinstance(packages, dict):
        find = _table(packages.get("find"))
        namespaces = find.get("namespaces", True)
        options["packages"] = {"where": _strings(find.get("where")) or ["."],
                               "include": _strings(find.get("include")) or ["*"],
                               "exclude": _strings(find.get("exclude")),
                               "namespaces": namespaces if isinstance(namespaces, bool) else True}
    elif isinstance(packages, list):
        options["packages"] = {"names": _strings(packages)}
    if isinstance(table.get("py-modules"), list):
        options["py_modules"] = _strings(table["py-modules"])
    package_dir = table.get("package-dir")
    if isinstance(package_dir, dict):
        strings = all(isinstance(v, str) for v in package_dir.values())
        options["package_dir"] = root_folder(package_dir) if strings else UNKNOWN
    return options


def _from_paths(paths: list[str]) -> dict[str, Any]:
    """Return the packages of folder or module paths (`src/pkg`, `mod.py`): each one's parent holds it."""
    where: list[str] = []
    include: list[str] = []
    modules: list[str] = []
    for path in paths:
        stem = path.strip("/").removesuffix(".py")
        parent, _, name = stem.rpartition("/")
        where.append(parent or ".")
        modules.append(stem)  # a name without `.py` may still be a single-file module (flit's `name`)
        if not path.endswith(".py"):
            include.append(name)
    return {"where": sorted(set(where)), "include": _with_children(include), "exclude": [], "namespaces": True,
            "modules": modules}


def _with_children(names: list[str]) -> list[str]:
    """Return package names with patterns for their subpackages."""
    return [*names, *(f"{n}.*" for n in names)]


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
    """One folder's declared packages and modules, for paths below it."""

    root: str
    where: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    namespaces: bool  # False: like `find_packages`, only folders with an `__init__.py` are packages
    modules: frozenset[str]  # single-file modules, as paths without `.py` relative to `root`

    def ships(self, relative: str, paths: frozenset[str]) -> bool:
        """Return whether a file (path relative to `root`) is a declared module or in a declared package."""
        folders, _, name = relative.rpartition("/")
        stem = name.split(".", 1)[0]
        if (f"{folders}/{stem}" if folders else stem) in self.modules:
            return True
        return any(self._in_package(folders, where, paths) for where in self.where)

    def _in_package(self, folders: str, where: str, paths: frozenset[str]) -> bool:
        """Return whether a folder (relative to `root`) is a package found below `where` and not excluded."""
        if where and not folders.startswith(where + "/"):
            return False
        parts = (folders[len(where) + 1:] if where else folders).split("/")
        if parts == [""] or any("." in part for part in parts):
            return False  # a module beside the packages, or a folder setuptools never descends into
        if not self.namespaces and not all(_join(self.root, where, *parts[:depth], "__init__.py") in paths
                                           for depth in range(1, len(parts) + 1)):
            return False  # `find_packages` stops at a folder without `__init__.py`
        package = ".".join(parts)
        return _matches(package, self.include) and not _matches(package, self.exclude)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    """Return whether a dotted name matches one of setuptools-style fnmatch patterns."""
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _resolve(root: str, found: Mapping[str, dict[str, Any]]) -> _Declaration | None:
    """Return a folder's declaration from its files' options, or None when nothing known is declared."""
    packages, modules, package_dir = _merged(found)
    if packages == UNKNOWN or (packages is None and not isinstance(modules, list)):
        return None  # unknown, or undeclared (setuptools discovers them): as if the files declared nothing
    module_names = _strings(modules) if isinstance(modules, list) else []  # unreadable beside known packages
    if package_dir == UNKNOWN and (module_names or packages is None or "names" in packages):
        return None  # names, without the folder they live in
    base = "" if package_dir in (None, UNKNOWN) else _folder(package_dir)
    if packages is None or "names" in packages:
        names = _strings(packages["names"]) if packages else []
        packages = {"where": [base], "include": _with_children(names), "exclude": []}
    modules_paths = [*_strings(packages.get("modules")), *(_join(base, *m.split(".")) for m in module_names)]
    return _Declaration(root, tuple(_folder(w) for w in _strings(packages["where"])),
                        tuple(_strings(packages["include"])), tuple(_strings(packages["exclude"])),
                        packages.get("namespaces") is not False, frozenset(_folder(m) for m in modules_paths))


def _merged(found: Mapping[str, dict[str, Any]]) -> list[Any]:
    """Return each of `OPTIONS` from the first of a folder's files that sets it, in setuptools' precedence."""
    pyproject = found.get(SOURCES[0], {})
    names = SOURCES if pyproject.get("setuptools", True) else SOURCES[:1]
    sources = [found[name] for name in names if name in found]
    return [next((source[option] for source in sources if option in source), None) for option in OPTIONS]


def _join(*parts: str) -> str:
    """Return folder parts joined with slashes, empty parts (the root) left out."""
    return "/".join(p for p in parts if p)


@per_view
def shipped(view: RepoView) -> Callable[[str], bool]:
    """Return a predicate telling which files of a snapshot the project ships (see the module docstring)."""
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for path, facts in view.files.items():
        if isinstance(data := facts.data.get(KEY), dict):
            folder, _, name = path.rpartition("/")
            found[folder][name] = data
    declarations = sorted((d for root, files in found.items() if (d := _resolve(root, files)) is not None),
                          key=lambda d: -len(d.root))

    def ships(path: str) -> bool:
        parts = path.split("/")
        if any(p in TOOLING_DIRS or SAMPLE_WORDS & set(re.split(r"[-_.]", p.lower())) for p in parts[:-1]):
            return False
        if len(parts) > 1 and parts[0] in TOP_TOOLING_DIRS:
            return False
        for declaration in declarations:  # the nearest folder that declares its packages decides
            if not declaration.root or path.startswith(declaration.root + "/"):
                relative = path[len(declaration.root) + 1:] if declaration.root else path
                return declaration.ships(relative, view.all_paths)
        return True

    return ships


EXTRACTOR = Extractor(KEY, KINDS, extract)
