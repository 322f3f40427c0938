"""Extractor `ci.config`: what CI configuration and the task files it calls say, parsed statically.

Data by file (None for other files), with a `type`:
- `workflow` (live GitHub Actions file): `on_pr` (runs for pull requests: `pull_request`,
  `pull_request_target`, `merge_group`, or `push` to every branch) and `runs`, a step's script once
  per value of the job's matrix variables it names (`tox -e ${{ matrix.env }}`);
- `action` (`action.yml` of a composite action): `runs` of its steps;
- `gitlab` (`.gitlab-ci.yml`): `runs` of its jobs (hidden and manual jobs aside) and `includes`;
- `runs` entries: `{"script", "pipefail", "advisory", "cwd"}` or `{"uses", "advisory"}`, advisory under
  `continue-on-error: true` / `allow_failure: true`;
- `pre-commit`: `hooks` ([id, entry] of the hooks run by default), `ci` (a pre-commit.ci `ci:`
  section), `skip` (its skips);
- `make`: `targets` {name: {"deps", "recipe"}}, `default`, `vars`;
- `tox`: `envlist`, `envs` {name: {"commands", "advisory"}}, from `tox.ini` or the native TOML form (`tox.toml`,
  `[tool.tox]` in pyproject.toml: `env_list`, `[env_run_base]` as `<default>`, `[env.NAME]`);
- `nox`: `sessions` {name: [command]};
- `pyproject`: `build` (has a build system), `scripts` {"hatch:env:name" | "poe:name": [command]}, `tox`,
  `ruff_security` (its ruff configuration selects the bandit rules, `S`);
- `ruff` (`ruff.toml`, `.ruff.toml`): `ruff_security`, the same;
- `npm`: `scripts` {name: command};
- `script` (`*.sh`): `text`.
Nothing here runs: the files are read as text, YAML, INI, TOML, JSON or a Python syntax tree.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import shlex
import tomllib
from typing import Any

from app.checks.base import ANY_TEXT, Extractor, FileContext
from app.checks.ci.commands import input_scripts
from app.checks.ci.workflow import is_disabled, is_live, jobs, on_key, triggers
from app.checks.facts.pynames import dotted
from app.checks.infrastructure.yaml_tree import YList, YMap, mappings

KEY = "ci.config"
MAX_SCRIPT = 20_000
PR_EVENTS = frozenset({"pull_request", "pull_request_target", "merge_group"})
GITLAB_RESERVED = frozenset({"stages", "variables", "default", "include", "workflow", "image", "services",
                             "before_script", "after_script", "cache", "pages"})
MAKEFILES = frozenset({"makefile", "gnumakefile"})
_MAKE_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*(.*)$")
_MAKE_VAR = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::{1,3}|\?|\+|!)?=\s*(.*)$")
_FACTOR = re.compile(r"^!?[\w.{},!-]+:\s+(.*)$")
_SHEBANG = re.compile(r"#!\S*?(?:/env\s+)?\S*\b(?:ba|z|da)?sh\b")
HOSTILE_ERRORS = (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError)


def extract(ctx: FileContext) -> dict[str, Any] | None:
    """Return what one CI or task file says, or None for other files."""
    try:
        return _extract(ctx)
    except HOSTILE_ERRORS:
        return None


def _extract(ctx: FileContext) -> dict[str, Any] | None:
    """Dispatch on the file's name and kind."""
    lower = ctx.name.lower()
    if ctx.kind == "workflow":
        return _workflow(ctx) if is_live(ctx.path) else None
    if ctx.path == ".gitlab-ci.yml":
        return _gitlab(ctx)
    if lower in ("action.yml", "action.yaml"):
        return _composite_action(ctx)
    if ctx.path in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
        return _pre_commit(ctx)
    if lower in MAKEFILES or lower.endswith(".mk"):
        return _makefile(ctx.text)
    if lower == "tox.ini":
        return _tox(ctx.text)
    if lower == "tox.toml":
        return _tox_toml_file(ctx.text)
    if lower == "noxfile.py":
        return _nox(ctx)
    if lower == "pyproject.toml":
        return _pyproject(ctx.text)
    if lower in ("ruff.toml", ".ruff.toml"):
        return _ruff_toml(ctx.text)
    if lower == "package.json":
        return _package_json(ctx.text)
    if lower.endswith((".sh", ".bash")) or _SHEBANG.match(ctx.text):
        return {"type": "script", "text": ctx.text[:MAX_SCRIPT]}
    return None


def runs_on_pull_requests(workflow: YMap) -> bool:
    """Return whether a workflow runs for pull requests: a PR event, or a push to every branch."""
    events = triggers(workflow)
    if events & PR_EVENTS:
        return True
    if "push" not in events:
        return False
    key = on_key(workflow)
    table = workflow.get(key) if key is not None else None
    push = table.get("push") if isinstance(table, YMap) else None
    if not isinstance(push, YMap):
        return True  # `on: push` or `on: [push]`: every branch
    if "branches-ignore" in push:
        return True
    branches = push.get("branches")
    if branches is None:
        return "tags" not in push and "tags-ignore" not in push
    patterns = [branches] if isinstance(branches, str) else list(branches) if isinstance(branches, YList) else []
    return any(p in ("*", "**") for p in patterns if isinstance(p, str))


def _default_shell(node: YMap | None) -> str | None:
    """Return the `defaults.run.shell` a workflow or job sets."""
    defaults = node.get_map("defaults") if node is not None else None
    run = defaults.get_map("run") if defaults is not None else None
    return run.get_str("shell") if run is not None else None


def _default_folder(node: YMap | None) -> str | None:
    """Return the `defaults.run.working-directory` a workflow or job sets."""
    defaults = node.get_map("defaults") if node is not None else None
    run = defaults.get_map("run") if defaults is not None else None
    return run.get_str("working-directory") if run is not None else None


def _pipefail(shell: str | None) -> bool:
    """Return whether a step's shell runs with pipefail: GitHub's explicit `bash` does, the default does not."""
    return shell is not None and shell.strip().split()[0] == "bash" and ("pipefail" in shell or shell.strip() == "bash")


def _workflow(ctx: FileContext) -> dict[str, Any] | None:
    """Return the runs of a live workflow's live jobs."""
    docs = mappings(ctx)
    if not docs:
        return None
    workflow = docs[0]
    runs: list[dict[str, Any]] = []
    for job in jobs(workflow):
        if is_disabled(job.node):
            continue
        job_advisory = job.node.get("continue-on-error") is True
        if job.calls_workflow:
            runs.append({"uses": job.node.get_str("uses") or "", "advisory": job_advisory})
            continue
        shell = _default_shell(job.node) or _default_shell(workflow)
        folder = _default_folder(job.node) or _default_folder(workflow) or ""
        matrix = _matrix_values(job.node)
        for step in job.steps():
            advisory = job_advisory or step.get("continue-on-error") is True
            uses = step.get_str("uses")
            if uses:
                runs.append({"uses": uses, "advisory": advisory})
            pipefail = _pipefail(step.get_str("shell") or shell)
            cwd = step.get_str("working-directory") or folder
            runs.extend({"script": s[:MAX_SCRIPT], "pipefail": pipefail, "advisory": advisory, "cwd": cwd}
                        for script in input_scripts(step) for s in _with_matrix(script, matrix))
    return {"type": "workflow", "on_pr": runs_on_pull_requests(workflow), "runs": runs}


_MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
MAX_VARIANTS = 16  # of one script: a matrix of several variables multiplies


def _matrix_values(job: YMap) -> dict[str, list[str]]:
    """Return the values each matrix variable of a job takes: those of its axes and of its `include` entries."""
    strategy = job.get_map("strategy")
    matrix = strategy.get_map("matrix") if strategy is not None else None
    if matrix is None:
        return {}
    values: dict[str, list[str]] = {}
    for key, axis in matrix.items():
        if key not in ("include", "exclude") and isinstance(axis, list):
            for value in axis:
                _add_matrix_value(values, key, value)
    include = matrix.get_list("include")
    for entry in include.maps() if include is not None else []:
        for key, value in entry.items():
            _add_matrix_value(values, key, value)
    return values


def _add_matrix_value(values: dict[str, list[str]], key: Any, value: Any) -> None:
    """Record one value of a matrix variable, when it is a plain scalar (not a map, a list or an expression)."""
    if isinstance(value, (str, int, float, bool)) and "${{" not in str(value):
        known = values.setdefault(str(key), [])
        if str(value) not in known:
            known.append(str(value))


def _with_matrix(script: str, values: dict[str, list[str]]) -> list[str]:
    """Return a step's script once per value of the matrix variables it names, as each job of the matrix runs it.

    jd/tenacity ff183099df runs `poe ${{ matrix.task }}` over the tasks `check` (its tests), `lint` and `mypy`.
    A script that names no variable the matrix lists is returned as it is.
    """
    if "matrix." not in script:
        return [script]
    variants = [script]
    for name in sorted({m.group(1) for m in _MATRIX_REF.finditer(script)} & values.keys()):
        variants = [_substituted(variant, name, value)
                    for variant in variants for value in values[name]][:MAX_VARIANTS]
    return variants


def _substituted(script: str, name: str, value: str) -> str:
    """Return a script with its references to one matrix variable replaced by a value, taken literally."""
    return _MATRIX_REF.sub(lambda match: value if match.group(1) == name else match.group(0), script)


def _composite_action(ctx: FileContext) -> dict[str, Any] | None:
    """Return the runs of a composite action's steps (`runs.steps`), which a workflow's `uses: ./path` runs."""
    docs = mappings(ctx)
    action = docs[0] if docs else None
    runs_map = action.get_map("runs") if action is not None else None
    steps = runs_map.get_list("steps") if runs_map is not None else None
    if steps is None:
        return None
    runs: list[dict[str, Any]] = []
    for step in steps.maps():
        if is_disabled(step):
            continue
        advisory = step.get("continue-on-error") is True
        uses = step.get_str("uses")
        if uses:
            runs.append({"uses": uses, "advisory": advisory})
        pipefail = _pipefail(step.get_str("shell"))  # composite steps must name their shell
        cwd = step.get_str("working-directory") or ""
        runs.extend({"script": s[:MAX_SCRIPT], "pipefail": pipefail, "advisory": advisory, "cwd": cwd}
                    for s in input_scripts(step))
    return {"type": "action", "runs": runs}


def _lines(value: Any) -> list[str]:
    """Return a GitLab `script:` as its lines (a string or a list of strings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, YList):
        return [v for v in value if isinstance(v, str)]
    return []


def _gitlab(ctx: FileContext) -> dict[str, Any] | None:
    """Return the runs of a GitLab pipeline's jobs and the templates it includes."""
    docs = mappings(ctx)
    if not docs:
        return None
    pipeline = docs[0]
    runs: list[dict[str, Any]] = []
    for name, job in pipeline.items():
        if not isinstance(name, str) or name in GITLAB_RESERVED or name.startswith(".") or not isinstance(job, YMap):
            continue
        if job.get("when") == "manual":
            continue
        template = pipeline.get(job.get("extends")) if isinstance(job.get("extends"), str) else None
        script = _lines(job.get("script")) or (_lines(template.get("script")) if isinstance(template, YMap) else [])
        advisory = job.get("allow_failure") is True
        runs.extend({"script": line[:MAX_SCRIPT], "pipefail": False, "advisory": advisory} for line in script)
    return {"type": "gitlab", "runs": runs, "includes": _gitlab_includes(pipeline.get("include"))}


def _gitlab_includes(value: Any) -> list[str]:
    """Return the template names and paths a GitLab pipeline includes."""
    items = value if isinstance(value, YList) else [value]
    found: list[str] = []
    for item in items:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, YMap):
            found.extend(v for k in ("template", "local", "file", "component") if isinstance(v := item.get(k), str))
    return found


def _pre_commit(ctx: FileContext) -> dict[str, Any] | None:
    """Return the hooks a pre-commit configuration runs by default and its pre-commit.ci section."""
    docs = mappings(ctx)
    if not docs:
        return None
    config = docs[0]
    hooks: list[list[str]] = []
    repos = config.get_list("repos")
    for repo in repos.maps() if repos is not None else []:
        listed = repo.get_list("hooks")
        for hook in listed.maps() if listed is not None else []:
            hook_id, stages = hook.get_str("id"), hook.get("stages")
            manual_only = isinstance(stages, YList) and list(stages) == ["manual"]
            if hook_id and not manual_only:
                hooks.append([hook_id, hook.get_str("entry") or ""])
    ci = config.get_map("ci")
    skip = ci.get_list("skip") if ci is not None else None
    return {"type": "pre-commit", "hooks": hooks, "ci": ci is not None,
            "skip": [s for s in skip if isinstance(s, str)] if skip is not None else []}


def _makefile(text: str) -> dict[str, Any]:
    """Return a Makefile's targets (prerequisites and recipe lines), its first target and variables."""
    targets: dict[str, dict[str, list[str]]] = {}
    variables: dict[str, str] = {}
    default = ""
    current: list[dict[str, list[str]]] = []
    for line in text.replace("\\\n", " ").splitlines():
        if line.startswith("\t"):
            for target in current:
                target["recipe"].append(line[1:])
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if (var := _MAKE_VAR.match(line)) is not None:
            variables[var.group(1)] = var.group(2).strip()
            current = []
            continue
        rule = _MAKE_RULE.match(line)
        if rule is None:
            current = []
            continue
        deps, _, inline = rule.group(2).partition(";")
        current = []
        for name in rule.group(1).split():
            if name.startswith(".") or "%" in name:
                continue
            entry = targets.setdefault(name, {"deps": [], "recipe": []})
            entry["deps"].extend(d for d in deps.split() if d != "|")
            if inline.strip():
                entry["recipe"].append(inline.strip())
            current.append(entry)
            default = default or name
    return {"type": "make", "targets": targets, "default": default, "vars": variables}


def _tox_commands(value: str) -> list[str]:
    """Return tox command lines, continuations joined and factor conditions (`py38: cmd`) removed."""
    commands: list[str] = []
    for line in value.replace("\\\n", " ").splitlines():
        line = line.strip()
        factor = _FACTOR.match(line)
        line = factor.group(1) if factor else line
        if line and not line.startswith("#"):
            commands.append(line)
    return commands


def _expand(env: str) -> list[str]:
    """Expand tox's generative names: `py{38,39}-lint` gives py38-lint, py39-lint."""
    match = re.search(r"\{([^{}]*)\}", env)
    if match is None:
        return [env]
    head, tail = env[: match.start()], env[match.end():]
    return [e for choice in match.group(1).split(",") for e in _expand(head + choice.strip() + tail)][:50]


def _tox(text: str) -> dict[str, Any] | None:
    """Return a tox configuration's default environments and each environment's commands."""
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    envlist: list[str] = []
    if parser.has_option("tox", "envlist"):
        raw = re.split(r",(?![^{]*\})|\n", parser.get("tox", "envlist"))
        envlist = [e for item in raw if item.strip() for e in _expand(item.strip())]
    envs: dict[str, dict[str, Any]] = {}
    for section in parser.sections():
        if section == "testenv" or section.startswith("testenv:"):
            name = section.partition(":")[2] or "<default>"
            commands = _tox_commands(parser.get(section, "commands", fallback=""))
            advisory = parser.get(section, "ignore_outcome", fallback="false").strip().lower() == "true"
            envs[name] = {"commands": commands, "advisory": advisory}
    return {"type": "tox", "envlist": envlist, "envs": envs}


def _tox_toml_file(text: str) -> dict[str, Any] | None:
    """Return what a native `tox.toml` says, or None when it does not parse."""
    try:
        return _tox_toml(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        return None


def _tox_toml(table: dict[str, Any]) -> dict[str, Any]:
    """Return a native TOML tox configuration (tox >= 4.21) in the shape `_tox` gives an INI one."""
    env_list = table.get("env_list")
    envlist = [e for e in env_list if isinstance(e, str)] if isinstance(env_list, list) else []
    envs: dict[str, dict[str, Any]] = {}
    sections = [(name, env) for name, env in _table(table, "env").items() if isinstance(env, dict)]
    if isinstance(table.get("env_run_base"), dict):  # the base every run environment falls back on
        sections.append(("<default>", table["env_run_base"]))
    for name, env in sections:
        envs[name] = {"commands": _toml_commands(env.get("commands")), "advisory": env.get("ignore_outcome") is True}
    return {"type": "tox", "envlist": envlist, "envs": envs}


def _toml_commands(value: Any) -> list[str]:
    """Return the command lines of a TOML `commands` (argument lists; substitutions such as posargs dropped)."""
    if not isinstance(value, list):
        return []
    commands: list[str] = []
    for argv in value:
        words = [w for w in argv if isinstance(w, str)] if isinstance(argv, list) else []
        if words:
            commands.append(shlex.join(words))
    return commands


def _nox(ctx: FileContext) -> dict[str, Any] | None:
    """Return the commands each nox session runs (`session.run("pytest", ...)`, its string arguments)."""
    if ctx.tree is None:
        return None
    functions = {f.name: f for f in ctx.tree.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)}
    runs = {name: _function_runs(func, functions.keys() - {name}) for name, func in functions.items()}
    sessions: dict[str, list[str]] = {}
    for func in functions.values():
        name = _session_name(func)
        if name is not None:
            sessions[name] = _runs_through_calls(func.name, runs)
    return {"type": "nox", "sessions": sessions}


# A noxfile function's own commands, and the other noxfile functions it calls.
_FunctionRuns = tuple[list[str], list[str]]


def _function_runs(func: ast.FunctionDef | ast.AsyncFunctionDef, others: set[str]) -> _FunctionRuns:
    """Return the commands a noxfile function runs and the other noxfile functions it calls."""
    commands: list[str] = []
    called: list[str] = []
    for node in ast.walk(func):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in others:
            called.append(node.func.id)
        elif command := _session_run(node):
            commands.append(command)
    return commands, called


MAX_NOX_CALLS = 5  # how deep one session's calls into the noxfile's other functions are followed


def _runs_through_calls(name: str, runs: dict[str, _FunctionRuns], depth: int = 0) -> list[str]:
    """Return the commands a noxfile function runs, with those of the functions it calls (urllib3's `lint`
    session calls `mypy(session)`; sessions often share a `tests_impl(session)` helper)."""
    commands, called = runs.get(name, ([], []))
    found = list(commands)
    if depth < MAX_NOX_CALLS:
        for other in called:
            found.extend(_runs_through_calls(other, runs, depth + 1))
    return found


def _session_name(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """Return the name of a nox session function (`@nox.session(name=...)`), or None when it is not one."""
    for decorator in func.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        name = dotted(call.func if call else decorator) or ""
        if name.rsplit(".", 1)[-1] != "session":
            continue
        for keyword in call.keywords if call else []:
            value = keyword.value
            if keyword.arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
        return func.name
    return None


def _session_run(call: ast.Call) -> str:
    """Return the command a `session.run(...)` call runs, from its leading string arguments, or ''."""
    name = dotted(call.func) or ""
    first = call.args[0] if call.args else None
    if name.endswith(".notify") and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return f"nox -s {first.value}"
    if not name.endswith(".run"):
        return ""
    words: list[str] = []
    for arg in call.args:
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            break
        words.append(arg.value)
    return " ".join(words)


def _pyproject(text: str) -> dict[str, Any] | None:
    """Return whether a pyproject builds a package, its hatch and poe scripts and its tox config (legacy or native)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    tool = _table(data, "tool")
    scripts: dict[str, list[str]] = {}
    for env, table in _table(_table(tool, "hatch"), "envs").items():
        for name, value in _table(table, "scripts").items():
            scripts[f"hatch:{env}:{name}"] = _strings(value)
    for name, value in _table(_table(tool, "poe"), "tasks").items():
        task = value.get("cmd") or value.get("shell") or value.get("sequence") if isinstance(value, dict) else value
        scripts[f"poe:{name}"] = _strings(task)
    return {"type": "pyproject", "build": "build-system" in data, "scripts": scripts, "tox": _pyproject_tox(tool),
            "ruff_security": _ruff_selects_security(_table(tool, "ruff"))}


def _ruff_toml(text: str) -> dict[str, Any] | None:
    """Return whether a `ruff.toml` turns on ruff's security rules."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return {"type": "ruff", "ruff_security": _ruff_selects_security(data)}


def _ruff_selects_security(ruff: dict[str, Any]) -> bool:
    """Return whether a ruff configuration selects its bandit rules (`S`, `S6`, `ALL`), in `lint` or at the top."""
    chosen: list[Any] = []
    for table in (ruff, _table(ruff, "lint")):
        for key in ("select", "extend-select"):
            value = table.get(key)
            chosen.extend(value if isinstance(value, list) else [])
    return any(isinstance(code, str) and is_security_selector(code) for code in chosen)


_SECURITY_SELECTOR = re.compile(r"ALL|S\d*")  # not SIM, SLF or SLOT: other families that start with S


def is_security_selector(code: str) -> bool:
    """Return whether a ruff rule selector takes in bandit's rules (`S`, `S3`, `S608`, `ALL`)."""
    return _SECURITY_SELECTOR.fullmatch(code.strip().upper()) is not None


def _pyproject_tox(tool: dict[str, Any]) -> dict[str, Any] | None:
    """Return pyproject's tox configuration: `legacy_tox_ini` (INI in a string), else the native `[tool.tox]`."""
    table = _table(tool, "tox")
    legacy = table.get("legacy_tox_ini")
    if isinstance(legacy, str):
        return _tox(legacy)
    return _tox_toml(table) if table else None


def _table(data: Any, key: str) -> dict[str, Any]:
    """Return a TOML sub-table, or an empty one when it is absent or not a table."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    """Return a script value as command strings (a string, or a list of strings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v if isinstance(v, str) else str(v.get("ref") or v.get("cmd") or "") for v in value
                if isinstance(v, str | dict)]
    return []


def _package_json(text: str) -> dict[str, Any] | None:
    """Return a package.json's scripts."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return None
    return {"type": "npm", "scripts": {k: v for k, v in scripts.items() if isinstance(k, str) and isinstance(v, str)}}


EXTRACTOR = Extractor(KEY, ANY_TEXT, extract)
