"""Extractor `dependencies.manifest`: the dependencies a file declares, by text only (nothing is run).

Manifests: `pyproject.toml` (PEP 621 `[project]` dependencies and optional-dependencies, PEP 735
`[dependency-groups]`, Poetry, and the dev lists of PDM, uv, Rye and Hatch), requirements files
(`requirements*.txt`/`.in`, any `.txt`/`.in` or extension-less file under a `requirements/` folder),
`setup.cfg`, literal `setup.py` arguments, `Pipfile` and conda `environment.yml`. Also read, only so
that a tool installed outside the manifests is not called undeclared: `tox.ini` deps,
`session.install(...)` in `noxfile.py`, and `pip install ...` lines in workflows, Dockerfiles, shell
scripts, Makefiles and docs.

Data, or None for files that declare nothing:

```
{"format": "pyproject" | "requirements" | "setup.cfg" | "setup.py" | "pipfile" | "conda" | "tox" | "install",
 "manifest": True,     # declares a project's dependencies (False for tox, nox and install commands)
 "project": "name",    # normalised project name, or ""
 "deps": [{"name": "pyyaml", "spec": ">=6,<7", "marker": "", "list": "project.dependencies",
           "role": "runtime" | "optional" | "dev", "line": 7}],
 "includes": ["requirements/base.txt"],  # files it pulls in (-r, -c, dynamic file =), as written
 "opaque": False,      # its runtime dependencies are computed and could not be read
 "lock": False,        # a generated or frozen list (pip-compile output, hashes, all == pins)
 "conflicts": [["group:v1", "group:v2"]]}  # lists never installed together (`[tool.uv] conflicts`)
```

`spec` is a PEP 440 specifier ("" when unversioned) or None when it is not one Verity can judge
(URLs, paths, git, conda syntax, install commands). Names are normalised (PEP 503). A list is `dev`
when it is a group (PEP 735, Poetry, PDM, uv, Rye, Hatch), an extra named test/tests/testing/dev/develop,
or a requirements file whose name or folders say test, dev, lint, docs and the like (`tests/requirements/py3.txt`,
`docs/requirements.txt`); other extras are `optional`.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
import tomllib
from typing import Any

from app.checks.base import Extractor, FileContext
from app.checks.dependencies.requirements import (
    Requirement,
    normalize,
    parse_requirement,
    parse_requirements_file,
)
from app.checks.dependencies.specifiers import poetry_spec
from app.checks.facts.pynames import dotted

KEY = "dependencies.manifest"
KINDS = frozenset({"python", "toml", "requirements", "text", "yaml", "workflow", "dockerfile", "markdown"})
DEV_EXTRAS = frozenset({"test", "tests", "testing", "dev", "develop", "development", "devel"})
DEV_FILE_WORDS = DEV_EXTRAS | {
    "lint", "linting", "doc", "docs", "typing", "mypy", "style", "qa", "ci", "bench", "benchmark", "benchmarks",
    "coverage", "tox", "nox", "local", "check", "checks", "precommit", "tools", "tooling", "debug", "notebook",
    "types", "format", "build", "release",
}
# Folder names that say "not run time" without doubt (a folder named `build` may hold a service).
DEV_FOLDER_WORDS = DEV_EXTRAS | {"doc", "docs", "ci", "lint", "bench", "benchmark", "benchmarks", "notebooks"}
REQUIREMENTS_FOLDERS = frozenset({"requirements", "reqs", "requirements.d", "deps", "dependencies"})
# Files with no extension that a requirements folder may hold besides its lists.
NOT_REQUIREMENTS = frozenset({"readme", "license", "makefile", "owners", "codeowners", "justfile"})
CONDA_NAMES = re.compile(r"(environment|conda|env)([-_.][\w.-]*)?\.ya?ml")
INSTALL = re.compile(r"(?:\bpip3?|\bpython3?\s+-m\s+pip|\buv\s+pip|\bpipx)\s+install\s+([^\n;&|#`)]*)")
_VALUED = frozenset({"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host", "-t",
                     "--target", "--prefix", "--root", "-c", "--constraint", "--python", "-p"})
Dep = dict[str, Any]
# The engine runs extractors unguarded: hostile input must yield "nothing known", never an exception.
HOSTILE_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)


def extract(ctx: FileContext) -> dict[str, Any] | None:
    """Return what a file declares, or None when it is no manifest and installs nothing (or defeats analysis)."""
    try:
        return _declarations(ctx)
    except HOSTILE_ERRORS:
        return None


def _declarations(ctx: FileContext) -> dict[str, Any] | None:
    """Return what a file declares, by its name and kind."""
    name = ctx.name.lower()
    reader = _READERS.get(name)
    if reader is not None:
        return reader(ctx)
    if _is_requirements(ctx.path):
        return _requirements(ctx)
    if ctx.kind == "yaml" and CONDA_NAMES.fullmatch(name):
        return _conda(ctx)
    if ctx.kind in ("workflow", "dockerfile", "yaml", "text", "markdown") and _may_install(ctx.text):
        return _install_commands(ctx)
    return None


def _may_install(text: str) -> bool:
    """Return whether a text may hold an install command: every one INSTALL reads says `pip` and `install`."""
    return "install" in text and "pip" in text


def _is_requirements(path: str) -> bool:
    """Return whether a path is a pip requirements file, by its name or its folder.

    In a requirements folder a name with no extension is one too: falconry/falcon's tox installs
    `-r requirements/tests`.
    """
    folder, _, name = path.lower().rpartition("/")
    in_folder = folder.rsplit("/", 1)[-1] in REQUIREMENTS_FOLDERS
    if "." not in name:
        return in_folder and name not in NOT_REQUIREMENTS
    if not name.endswith((".txt", ".in")):
        return False
    return "requirements" in name or in_folder


def _result(fmt: str, deps: list[Dep], *, manifest: bool = True, project: str = "", includes: list[str] | None = None,
            opaque: bool = False, lock: bool = False) -> dict[str, Any]:
    """Return the extractor's data for one file."""
    return {"format": fmt, "manifest": manifest, "project": project, "deps": deps, "includes": includes or [],
            "opaque": opaque, "lock": lock}


def _dep(req: Requirement, list_name: str, role: str, line: int, *, judged: bool = True) -> Dep:
    """Return one declaration entry; its specifier is judged unless it comes from a URL or an install command."""
    spec = req.spec if judged and not req.url else None
    return {"name": req.name, "spec": spec, "marker": req.marker, "list": list_name, "role": role, "line": line}


def _words(text: str) -> set[str]:
    """Return the lower-case words of a file or list name."""
    return set(re.split(r"[^a-z0-9]+", text.lower())) - {""}


def _extra_role(extra: str) -> str:
    """Return the role of an extra: dev for test/dev extras, optional for the rest."""
    return "dev" if _words(extra) & DEV_EXTRAS else "optional"


# --- requirements files ----------------------------------------------------------------------


def _requirements(ctx: FileContext) -> dict[str, Any]:
    """Read a pip requirements file."""
    parsed = parse_requirements_file(ctx.text)
    folders = _words("/".join(ctx.path.split("/")[:-1]))
    dev = _words(ctx.name.rsplit(".", 1)[0]) & DEV_FILE_WORDS or folders & DEV_FOLDER_WORDS
    role = "dev" if dev else "runtime"
    deps = [_dep(req, ctx.name, role, line) for line, req in parsed.requirements]
    return _result("requirements", deps, includes=parsed.includes, lock=parsed.lock)


# --- pyproject.toml ---------------------------------------------------------------------------


def _toml(ctx: FileContext) -> dict[str, Any] | None:
    """Return a TOML file's tables, or None when it does not parse (another check reports that)."""
    try:
        data = tomllib.loads(ctx.text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    return data


def _pyproject(ctx: FileContext) -> dict[str, Any] | None:
    """Read pyproject.toml: PEP 621, PEP 735, Poetry, and the dev lists of PDM, uv, Rye and Hatch."""
    data = _toml(ctx)
    if data is None:
        return _result("pyproject", [], opaque=True) if "dependencies" in ctx.text else None
    finder = _LineFinder(ctx.lines)
    project = _table(data.get("project"))
    tool = _table(data.get("tool"))
    poetry = _table(tool.get("poetry"))
    deps = [*_pep621(project, finder), *_groups(data, tool, finder), *_poetry(poetry, finder)]
    manifest = bool(project) or "dependencies" in poetry
    if not manifest and not deps:
        return None
    opaque, includes = _dynamic(project, tool)
    name = project.get("name") or poetry.get("name") or ""
    result = _result("pyproject", deps, manifest=manifest, project=normalize(name) if isinstance(name, str) else "",
                     includes=includes, opaque=opaque)
    result["conflicts"] = _uv_conflicts(_table(tool.get("uv")).get("conflicts"))
    return result


def _uv_conflicts(sets: Any) -> list[list[str]]:
    """Return `[tool.uv] conflicts` as sets of list names (`group:x`, `extra:y`) never installed together."""
    out: list[list[str]] = []
    for items in sets if isinstance(sets, list) else []:
        names = [f"{kind}:{entry[kind]}" for entry in items if isinstance(entry, dict)
                 for kind in ("group", "extra") if isinstance(entry.get(kind), str)] if isinstance(items, list) else []
        if len(names) > 1:
            out.append(names)
    return out


def _pep621(project: dict[str, Any], finder: _LineFinder) -> list[Dep]:
    """Return `[project]` dependencies and optional-dependencies."""
    deps = _string_deps(project.get("dependencies"), "project.dependencies", "runtime", finder, "[project]")
    for extra, items in _table(project.get("optional-dependencies")).items():
        deps += _string_deps(items, f"extra:{extra}", _extra_role(str(extra)), finder, "optional-dependencies")
    return deps


def _groups(data: dict[str, Any], tool: dict[str, Any], finder: _LineFinder) -> list[Dep]:
    """Return development lists: PEP 735 groups, PDM, uv and Rye dev dependencies, Hatch environments."""
    deps: list[Dep] = []
    for group, items in _table(data.get("dependency-groups")).items():
        deps += _string_deps(items, f"group:{group}", "dev", finder, "[dependency-groups]")
    for group, items in _table(_table(tool.get("pdm")).get("dev-dependencies")).items():
        deps += _string_deps(items, f"group:{group}", "dev", finder, "[tool.pdm")
    deps += _string_deps(_table(tool.get("uv")).get("dev-dependencies"), "group:uv-dev", "dev", finder, "[tool.uv")
    deps += _string_deps(_table(tool.get("rye")).get("dev-dependencies"), "group:rye-dev", "dev", finder, "[tool.rye")
    for env, table in _table(_table(tool.get("hatch")).get("envs")).items():
        for key in ("dependencies", "extra-dependencies"):
            deps += _string_deps(_table(table).get(key), f"hatch:{env}", "dev", finder, "[tool.hatch")
    return deps


def _poetry(poetry: dict[str, Any], finder: _LineFinder) -> list[Dep]:
    """Return Poetry's dependencies, dev-dependencies and groups."""
    deps = _poetry_table(poetry.get("dependencies"), ("poetry.dependencies", "runtime"), finder,
                         "[tool.poetry.dependencies]")
    deps += _poetry_table(poetry.get("dev-dependencies"), ("poetry.dev-dependencies", "dev"), finder,
                          "[tool.poetry.dev-dependencies]")
    for group, table in _table(poetry.get("group")).items():
        deps += _poetry_table(_table(table).get("dependencies"), (f"group:{group}", "dev"), finder,
                              f"[tool.poetry.group.{group}")
    return deps


def _poetry_table(table: Any, where: tuple[str, str], finder: _LineFinder, section: str) -> list[Dep]:
    """Return the entries of one Poetry dependency table (`python` aside); `where` is (list name, role)."""
    list_name, role = where
    deps: list[Dep] = []
    for raw_name, value in _table(table).items():
        if not isinstance(raw_name, str) or raw_name.lower() == "python":
            continue
        spec: str | None
        entry_role = role
        if isinstance(value, str):
            spec = poetry_spec(value)
        elif isinstance(value, dict):
            version = value.get("version")
            spec = poetry_spec(version) if isinstance(version, str) and not _is_source(value) else None
            entry_role = "optional" if role == "runtime" and value.get("optional") is True else role
        else:
            spec = None  # a list of constraints per platform or Python version
        line = finder.key_line(raw_name, section)
        deps.append({"name": normalize(raw_name), "spec": spec, "marker": "", "list": list_name, "role": entry_role,
                     "line": line})
    return deps


def _is_source(value: dict[str, Any]) -> bool:
    """Return whether a Poetry or Pipenv entry comes from git, a path or a URL."""
    return any(key in value for key in ("git", "path", "url", "file"))


def _dynamic(project: dict[str, Any], tool: dict[str, Any]) -> tuple[bool, list[str]]:
    """Return whether [project] dependencies are dynamic and unreadable, and the files they come from."""
    dynamic = project.get("dynamic")
    if not isinstance(dynamic, list) or "dependencies" not in dynamic:
        return False, []
    source = _table(_table(_table(tool.get("setuptools")).get("dynamic")).get("dependencies"))
    files = source.get("file")
    listed = files if isinstance(files, list) else [files]
    names = [f for f in listed if isinstance(f, str)]
    return (not names), names


def _string_deps(items: Any, list_name: str, role: str, finder: _LineFinder, section: str) -> list[Dep]:
    """Return the PEP 508 strings of a TOML array as declarations."""
    if not isinstance(items, list):
        return []
    return [_dep(req, list_name, role, finder.string_line(item, section))
            for item in items if isinstance(item, str) and (req := parse_requirement(item)) is not None]


def _table(value: Any) -> dict[str, Any]:
    """Return a TOML table, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


class _LineFinder:
    """Find the line of a declaration in a file tomllib parsed without positions.

    Each search runs over the whole text at once (in C) and is remembered: a tox.ini of 17,000 deps
    and as many lines cost a line-by-line search per dep about ten seconds.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.text = "\n".join(lines)  # joined on "\n" whatever split them: offsets map back to `lines`
        self._starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        self._found: dict[tuple[str, int], int] = {}

    def _line_index(self, offset: int) -> int:
        """Return the 0-based index of the line holding a character offset of the joined text."""
        return bisect.bisect_right(self._starts, offset) - 1

    def _first(self, needle: str, start: int = 0) -> int:
        """Return the index of the first line from line `start` on that holds a text (never across lines), or -1."""
        key = (needle, start)
        found = self._found.get(key)
        if found is None:
            found = -1
            if "\n" not in needle and start < len(self.lines):
                offset = self.text.find(needle, self._starts[start])
                found = self._line_index(offset) if offset >= 0 else -1
            self._found[key] = found
        return found

    def _start(self, section: str) -> int:
        """Return the index of the first line mentioning a section header, or 0."""
        return max(self._first(section), 0)

    def _wrapped(self, needle: str, start: int) -> int:
        """Return the index of the first line holding a text from line `start` to the end, then from the top, or -1."""
        found = self._first(needle, start)
        if found < 0 and start > 0:
            found = self._first(needle)
        return found

    def string_line(self, item: str, section: str) -> int:
        """Return the 1-based line of a quoted string, searched from its section on."""
        start = self._start(section)
        found = [i for i in (self._wrapped(f'"{item}"', start), self._wrapped(f"'{item}'", start)) if i >= 0]
        # The nearer one in search order: lines from the section on come before those above it.
        return min(found, key=lambda i: (i < start, i)) + 1 if found else 0

    def key_line(self, key: str, section: str) -> int:
        """Return the 1-based line of a `key = ...` entry of a TOML table, searched from its section on."""
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        start = self._start(section)
        for index in itertools.chain(range(start, len(self.lines)), range(start)):
            if key in self.lines[index] and pattern.match(self.lines[index]):
                return index + 1
        return 0

    def plain_line(self, text: str) -> int:
        """Return the 1-based line holding a piece of text, or 0."""
        return self._first(text) + 1


# --- setup.cfg, setup.py, Pipfile, conda, tox --------------------------------------------------


def _setup_cfg(ctx: FileContext) -> dict[str, Any] | None:
    """Read setup.cfg's `[options]` install_requires, tests_require and extras_require."""
    parser = ctx.ini_config
    if parser is None:
        return None
    if not (parser.has_option("options", "install_requires") or parser.has_option("metadata", "name")):
        return None
    finder = _LineFinder(ctx.lines)
    lists = [("install_requires", parser.get("options", "install_requires", fallback=""), "runtime"),
             ("tests_require", parser.get("options", "tests_require", fallback=""), "dev")]
    if parser.has_section("options.extras_require"):
        lists += [(f"extra:{k}", v, _extra_role(k)) for k, v in parser.items("options.extras_require")]
    deps: list[Dep] = []
    opaque, includes = False, []
    for list_name, value, role in lists:
        if value.strip().startswith(("file:", "attr:")):
            opaque = opaque or role == "runtime"
            includes += [f.strip() for f in value.split(":", 1)[1].split(",") if f.strip()]
            continue
        deps += [_dep(req, list_name, role, finder.plain_line(text)) for text, req in _cfg_requirements(value)]
    name = parser.get("metadata", "name", fallback="")
    return _result("setup.cfg", deps, project=normalize(name), includes=includes, opaque=opaque)


def _cfg_requirements(value: str) -> list[tuple[str, Requirement]]:
    """Return the requirements of a setup.cfg list value (one per line or separated by `;` lines)."""
    out: list[tuple[str, Requirement]] = []
    for line in value.splitlines():
        text = line.split("#", 1)[0].strip()
        if text and (req := parse_requirement(text)) is not None:
            out.append((text, req))
    return out


def _setup_py(ctx: FileContext) -> dict[str, Any] | None:
    """Read the literal install_requires, tests_require and extras_require of a setup() call."""
    if ctx.tree is None:
        return _result("setup.py", [], opaque=True)
    calls = [c for c in ctx.nodes(ast.Call) if (dotted(c.func) or "").rsplit(".", 1)[-1] == "setup"]
    if not calls:
        return _result("setup.py", [], opaque=True)
    assigned = _module_assignments(ctx.tree)
    deps: list[Dep] = []
    opaque = False
    name = ""
    for keyword in calls[0].keywords:
        value = assigned.get(keyword.value.id, keyword.value) if isinstance(keyword.value, ast.Name) else keyword.value
        if keyword.arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str):
            name = normalize(value.value)
        found = _setup_keyword(keyword.arg or "", value, assigned)
        if found is None:
            opaque = opaque or keyword.arg == "install_requires"
        else:
            deps += found
    arguments = {k.arg for k in calls[0].keywords}
    if "install_requires" not in arguments and None in arguments:
        opaque = True  # setup(**kwargs): the requirements may hide in the unpacked mapping
    return _result("setup.py", deps, project=name, opaque=opaque)


def _module_assignments(tree: ast.Module) -> dict[str, ast.expr]:
    """Return the values of simple module-level assignments (`REQUIRES = [...]`)."""
    out: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            out[stmt.targets[0].id] = stmt.value
    return out


def _setup_keyword(arg: str, value: ast.expr, assigned: dict[str, ast.expr]) -> list[Dep] | None:
    """Return the declarations of one setup() keyword; None when a requirements keyword is not literal."""
    if arg in ("install_requires", "tests_require"):
        role = "runtime" if arg == "install_requires" else "dev"
        return _literal_deps(value, arg, role)
    if arg == "extras_require":
        value = assigned.get(value.id, value) if isinstance(value, ast.Name) else value
        if not isinstance(value, ast.Dict):
            return []
        deps: list[Dep] = []
        for key, items in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                items = assigned.get(items.id, items) if isinstance(items, ast.Name) else items
                deps += _literal_deps(items, f"extra:{key.value}", _extra_role(key.value)) or []
        return deps
    return []


def _literal_deps(node: ast.expr, list_name: str, role: str) -> list[Dep] | None:
    """Return the requirement strings of a literal list or tuple, each at its own line."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    deps: list[Dep] = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        req = parse_requirement(element.value)
        if req is not None:
            deps.append(_dep(req, list_name, role, element.lineno))
    return deps


def _pipfile(ctx: FileContext) -> dict[str, Any] | None:
    """Read a Pipfile's [packages] and [dev-packages]."""
    data = _toml(ctx)
    if data is None:
        return _result("pipfile", [], opaque=True)
    finder = _LineFinder(ctx.lines)
    deps: list[Dep] = []
    for section, role in (("packages", "runtime"), ("dev-packages", "dev")):
        for raw_name, value in _table(data.get(section)).items():
            version = value.get("version") if isinstance(value, dict) and not _is_source(value) else value
            spec = None if not isinstance(version, str) else "" if version.strip() == "*" else "".join(version.split())
            req = parse_requirement(f"{raw_name}{spec or ''}") if spec is not None else None
            deps.append({"name": normalize(str(raw_name)), "spec": req.spec if req else None, "marker": "",
                         "list": section, "role": role, "line": finder.key_line(str(raw_name), f"[{section}]")})
    return _result("pipfile", deps)


def _conda(ctx: FileContext) -> dict[str, Any] | None:
    """Read a conda environment file's dependencies and its pip list (names only)."""
    import yaml  # imported on first use: a change with no YAML file never needs PyYAML, ~15 ms to import

    try:
        documents = ctx.yaml_documents
    except (yaml.YAMLError, RecursionError):
        return None
    doc = documents[0] if documents else None
    items = doc.get("dependencies") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return None
    finder = _LineFinder(ctx.lines)
    deps: list[Dep] = []
    for item in items:
        texts = item.get("pip") if isinstance(item, dict) else [item]
        for text in texts if isinstance(texts, list) else []:
            name = re.match(r"\s*(?:[\w.-]+::)?([A-Za-z0-9][\w.-]*)", str(text))
            if name and name.group(1).lower() not in ("python", "pip"):
                deps.append({"name": normalize(name.group(1)), "spec": None, "marker": "", "list": "conda",
                             "role": "runtime", "line": finder.plain_line(str(text))})
    return _result("conda", deps)


def _tox(ctx: FileContext) -> dict[str, Any] | None:
    """Read the deps of tox.ini's test environments (development declarations)."""
    parser = ctx.ini_config
    if parser is None:
        return None
    lines: list[str] = []
    for section in parser.sections():
        if section.startswith("testenv"):
            lines += parser.get(section, "deps", fallback="").splitlines()
    cleaned = "\n".join(re.sub(r"^[\w,{}.!-]+:\s+", "", line.strip()) for line in lines)
    cleaned = re.sub(r"\{toxinidir\}/?", "", cleaned)
    parsed = parse_requirements_file(cleaned)
    finder = _LineFinder(ctx.lines)
    deps = [_dep(req, "tox", "dev", finder.plain_line(req.name), judged=False) for _, req in parsed.requirements]
    includes = [i for i in parsed.includes if "{" not in i]
    return _result("tox", deps, manifest=False, includes=includes) if deps or includes else None


# --- install commands ----------------------------------------------------------------------------


def _noxfile(ctx: FileContext) -> dict[str, Any] | None:
    """Read the string arguments of `session.install(...)` calls in noxfile.py."""
    deps: list[Dep] = []
    for call in ctx.nodes(ast.Call):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "install":
            for arg in call.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    req = parse_requirement(arg.value)
                    if req is not None and not arg.value.startswith("-"):
                        deps.append(_dep(req, "nox", "dev", arg.lineno, judged=False))
    return _result("install", deps, manifest=False) if deps else None


def _install_commands(ctx: FileContext) -> dict[str, Any] | None:
    """Read `pip install a b` commands: a Dockerfile installs for run time, anything else for development."""
    role = "runtime" if ctx.kind == "dockerfile" else "dev"
    deps: list[Dep] = []
    for line_no, line in _joined_lines(ctx.lines):
        for match in INSTALL.finditer(line):
            for token in _install_tokens(match.group(1)):
                req = parse_requirement(token)
                if req is not None:
                    deps.append(_dep(req, f"install:{ctx.kind}", role, line_no, judged=False))
    return _result("install", deps, manifest=False) if deps else None


def _joined_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Return lines with backslash continuations joined, each with its first line number."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for line_no, line in enumerate(lines, start=1):
        if not pending:
            start = line_no
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        out.append((start, pending + line))
        pending = ""
    if pending:
        out.append((start, pending))
    return out


def _install_tokens(args: str) -> list[str]:
    """Return the requirement-like words of an install command's arguments."""
    out: list[str] = []
    skip_next = False
    for raw in args.split():
        token = raw.strip("\"'")
        if skip_next:
            skip_next = False
        elif token in _VALUED or token in ("-r", "--requirement", "-e", "--editable"):
            skip_next = True
        elif token and not token.startswith(("-", ".", "/", "$", "{", "~")) and "://" not in token and "/" not in token:
            out.append(token)
    return out


_READERS = {
    "pyproject.toml": _pyproject,
    "setup.cfg": _setup_cfg,
    "setup.py": _setup_py,
    "pipfile": _pipfile,
    "tox.ini": _tox,
    "noxfile.py": _noxfile,
}

EXTRACTOR = Extractor(KEY, KINDS, extract)
