"""Read the package options setuptools takes from `setup.py` and `setup.cfg`, from their text alone.

`setup.py` is parsed with `ast`, never run nor imported: only literal forms are understood (lists or
tuples of strings, a `package_dir` dict of strings, `setuptools.find_packages(...)` or
`find_namespace_packages(...)` with literal arguments). Both readers return the options a file sets:

```
{"packages": {"names": ["a", "a.b"]}                     # an explicit list
           | {"where": ["src"], "include": ["*"], "exclude": ["tests*"], "namespaces": False}  # a finder
           | "unknown",
 "py_modules": ["mod"] | "unknown",
 "package_dir": "src" | "unknown"}                        # the folder of the root package ("" key)
```

An option the file does not set is absent; None when it sets none. UNKNOWN stands for a value only
running the file would tell (a variable, a call Verity cannot read, `setup(**kwargs)`), or a
`package_dir` that maps named packages to their own folders.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from app.checks.base import FileContext
from app.checks.facts.pynames import dotted, import_aliases, qualified

if TYPE_CHECKING:
    import configparser

UNKNOWN = "unknown"
OPTIONS = ("packages", "py_modules", "package_dir")
# setuptools' finders, and whether they count folders without `__init__.py` (PEP 420 namespaces).
FINDERS = {"setuptools.find_packages": False, "setuptools.find_namespace_packages": True}
FINDER_PARAMETERS = ("where", "exclude", "include")  # their positional order
CFG_FINDERS = {"find:": False, "find_namespace:": True}


def read_setup_py(ctx: FileContext) -> dict[str, Any] | None:
    """Return the package options of a `setup.py`'s `setup(...)` call, or None when it sets none."""
    call = _setup_call(ctx)
    if call is None:  # no single readable call: the options are whatever running the file does
        return dict.fromkeys(OPTIONS, UNKNOWN)
    aliases = import_aliases(ctx)
    options: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg == "packages":
            options["packages"] = _packages(keyword.value, aliases)
        elif keyword.arg == "py_modules":
            options["py_modules"] = _strings(keyword.value) if _is_sequence(keyword.value) else UNKNOWN
        elif keyword.arg == "package_dir":
            options["package_dir"] = _package_dir(keyword.value)
    if any(keyword.arg is None for keyword in call.keywords):  # `**kwargs` may set any option not named
        options = {**dict.fromkeys(OPTIONS, UNKNOWN), **options}
    return options or None


def _setup_call(ctx: FileContext) -> ast.Call | None:
    """Return the file's one `setup(...)` call, or None when it has none or several."""
    if ctx.tree is None:
        return None
    calls = [c for c in ctx.nodes(ast.Call) if (dotted(c.func) or "").rsplit(".", 1)[-1] == "setup"]
    return calls[0] if len(calls) == 1 else None


def _packages(node: ast.expr, aliases: dict[str, str]) -> dict[str, Any] | str:
    """Return the `packages` value: an explicit list, a finder's arguments, or UNKNOWN."""
    if _is_sequence(node):
        names = _strings(node)
        return {"names": names} if isinstance(names, list) else UNKNOWN
    if not isinstance(node, ast.Call):
        return UNKNOWN
    namespaces = FINDERS.get(qualified(node.func, aliases) or "")
    if namespaces is None or len(node.args) > len(FINDER_PARAMETERS):
        return UNKNOWN
    arguments = dict(zip(FINDER_PARAMETERS, node.args, strict=False))
    for keyword in node.keywords:
        if keyword.arg is None or keyword.arg not in FINDER_PARAMETERS or keyword.arg in arguments:
            return UNKNOWN  # `**kwargs`, or an argument setuptools would refuse
        arguments[keyword.arg] = keyword.value
    return _finder(arguments, namespaces)


def _finder(arguments: dict[str, ast.expr], namespaces: bool) -> dict[str, Any] | str:
    """Return a finder call's literal arguments with setuptools' defaults, or UNKNOWN."""
    where = arguments.get("where", ast.Constant("."))
    if not (isinstance(where, ast.Constant) and isinstance(where.value, str)):
        return UNKNOWN
    patterns: dict[str, list[str]] = {}
    for name, default in (("include", ["*"]), ("exclude", [])):
        node = arguments.get(name)
        value = default if node is None else _strings(node) if _is_sequence(node) else UNKNOWN
        if not isinstance(value, list):
            return UNKNOWN
        patterns[name] = value
    return find_packages(where.value, patterns["include"], patterns["exclude"], namespaces)


def find_packages(where: str, include: list[str], exclude: list[str], namespaces: bool) -> dict[str, Any]:
    """Return a finder's `packages` value (one folder searched, as setup.py and setup.cfg allow)."""
    return {"where": [where], "include": include, "exclude": exclude, "namespaces": namespaces}


def _is_sequence(node: ast.expr) -> bool:
    """Return whether a node is a list or tuple display."""
    return isinstance(node, (ast.List, ast.Tuple))


def _strings(node: ast.expr) -> list[str] | str:
    """Return the strings of a list or tuple display, or UNKNOWN when one element is not a string literal."""
    elements = node.elts if isinstance(node, (ast.List, ast.Tuple)) else []
    values = [e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return values if len(values) == len(elements) else UNKNOWN


def _package_dir(node: ast.expr) -> str:
    """Return the root package's folder of a literal `package_dir` dict, or UNKNOWN."""
    if not isinstance(node, ast.Dict):
        return UNKNOWN
    mapping: dict[str, str] = {}
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                and isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return UNKNOWN
        mapping[key.value] = value.value
    return root_folder(mapping)


def root_folder(mapping: dict[str, str]) -> str:
    """Return the folder `package_dir` gives the root package; UNKNOWN when it maps named packages too."""
    if set(mapping) - {""}:
        return UNKNOWN  # per-package folders: the packages' names are not their folders' paths
    return mapping.get("", "")


# --- setup.cfg ---------------------------------------------------------------------------------


def read_setup_cfg(ctx: FileContext) -> dict[str, Any] | None:
    """Return the package options of a `setup.cfg`'s `[options]` section, or None when it sets none."""
    parser = ctx.ini_config
    if parser is None:
        return None
    if not parser.has_section("options"):
        return None
    # setuptools accepts dashes for underscores in option names (`package-dir`).
    values = {key.replace("-", "_"): value for key, value in parser.items("options")}
    options: dict[str, Any] = {}
    if "packages" in values:
        options["packages"] = _cfg_packages(values["packages"], parser)
    if "py_modules" in values:
        options["py_modules"] = _cfg_list(values["py_modules"])
    if "package_dir" in values:
        options["package_dir"] = _cfg_package_dir(values["package_dir"])
    return options or None


def _cfg_packages(value: str, parser: configparser.ConfigParser) -> dict[str, Any]:
    """Return `packages`: `find:` and `find_namespace:` read `[options.packages.find]`, else a list of names."""
    namespaces = CFG_FINDERS.get(value.strip())
    if namespaces is None:
        return {"names": _cfg_list(value)}
    section = "options.packages.find"
    where = _cfg_list(parser.get(section, "where", fallback=""))
    return find_packages(where[0] if where else ".", _cfg_list(parser.get(section, "include", fallback="")) or ["*"],
                         _cfg_list(parser.get(section, "exclude", fallback="")), namespaces)


def _cfg_list(value: str) -> list[str]:
    """Return a setup.cfg list: one item a line when it spans lines, else comma-separated (as setuptools)."""
    chunks = value.splitlines() if "\n" in value else value.split(",")
    return [chunk.strip() for chunk in chunks if chunk.strip()]


def _cfg_package_dir(value: str) -> str:
    """Return the root package's folder of a setup.cfg `package_dir` (`=src`, one `name = folder` a line)."""
    mapping: dict[str, str] = {}
    for line in _cfg_list(value):
        key, sep, folder = line.partition("=")
        if not sep:
            return UNKNOWN  # setuptools refuses it; nothing to read
        mapping[key.strip()] = folder.strip()
    return root_folder(mapping)
