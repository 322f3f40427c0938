"""Which capabilities a snapshot's CI runs on pull requests, enforcing or advisory, and where that is written.

Sources: live GitHub Actions workflows that run for pull requests (and the local reusable workflows
and composite actions they call), GitLab CI, and pre-commit.ci (a `ci:` section). Each command of their scripts is
followed, statically, into what it calls: `make` targets (prerequisites and recipes), tox
environments, nox sessions, hatch and poe scripts, npm scripts, pre-commit hooks and shell scripts of
the tree; `docker compose exec/run` and `docker run/exec` are unwrapped to the command they run. A task
that cannot be found is judged by its name (`make typecheck`). A capability is enforcing when one
command that provides it can fail the pipeline (see `app.checks.ci.shell` for advisory commands).
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.checks.base import RepoView
from app.checks.ci.capabilities import (
    AUDIT,
    LINT,
    SAST,
    SCAN,
    SECRETS,
    TESTS,
    TYPES,
    action_capabilities,
    command_capabilities,
    hook_capabilities,
    name_capabilities,
)
from app.checks.ci.commands import Command, action_kinds, parse_command, task_targets, tox_envs
from app.checks.ci.shell import walk
from app.checks.ci.workflow import action_name
from app.checks.facts import ci_config
from app.checks.facts.python_modules import per_view

MAX_DEPTH = 6
Found = dict[str, bool]  # capability -> enforcing
_MAKE_VAR_REF = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_.-]*)[)}]")
# Actions that run the repository's pre-commit hooks (prek is a drop-in pre-commit that reads the same config).
_PRE_COMMIT_ACTIONS = ("pre-commit/action", "pre-commit-ci/lite-action", "j178/prek-action")
# GitLab's own templates by capability (`include: template: Security/SAST.gitlab-ci.yml`).
_GITLAB_TEMPLATES = {
    "sast-iac": SCAN, "sast": SAST, "secret-detection": SECRETS, "dependency-scanning": AUDIT,
    "container-scanning": SCAN, "code-quality": LINT,
}


@dataclass
class Capabilities:
    """Where each capability runs: the first CI file (by path) that enforces it, and one where it is advisory."""

    enforcing: dict[str, str] = field(default_factory=dict)
    advisory: dict[str, str] = field(default_factory=dict)
    has_ci: bool = False  # some readable CI configuration runs for pull requests

    def add(self, path: str, found: Found) -> None:
        """Record what one CI file provides."""
        for cap, enforcing in found.items():
            table = self.enforcing if enforcing else self.advisory
            table.setdefault(cap, path)


def merge(into: Found, found: Found, advisory: bool = False) -> None:
    """Add capabilities; one enforcing source makes a capability enforcing."""
    for cap, enforcing in found.items():
        into[cap] = into.get(cap, False) or (enforcing and not advisory)


# ruff-pre-commit's linting hooks (`ruff-format` only formats).
RUFF_HOOKS = frozenset({"ruff", "ruff-check"})


class Resolver:
    """Follows commands into the task files of one snapshot."""

    def __init__(self, view: RepoView) -> None:
        self.configs: dict[str, dict[str, Any]] = {}
        # What each script provides: a generated tox.ini runs the same few command lines in hundreds of
        # environments, and dozens of CI jobs call tox, which made a quarter of a million parses.
        self._scripts: dict[tuple[str, str, int, bool], Found] = {}
        self._ruff_config_scans: bool | None = None  # whether the root ruff configuration selects `S`
        for path, facts in view.files.items():
            data = facts.data.get(ci_config.KEY)
            if isinstance(data, dict):
                self.configs[path] = data

    def config(self, path: str, kind: str) -> dict[str, Any] | None:
        """Return the parsed config of a file of one type."""
        data = self.configs.get(path)
        return data if data is not None and data.get("type") == kind else None

    def script(self, text: str, cwd: str, depth: int, pipefail: bool = False) -> Found:
        """Return what a shell script provides (a copy: callers may add to it)."""
        key = (text, cwd, depth, pipefail)
        found = self._scripts.get(key)
        if found is None:
            found = {}
            for step in walk(text, pipefail=pipefail):
                merge(found, self.command(step.command, cwd, depth), step.advisory)
            self._scripts[key] = found
        return dict(found)

    def command(self, command: Command, cwd: str, depth: int) -> Found:
        """Return what a simple command provides, following it into the tree's task files."""
        if depth > MAX_DEPTH:
            return {}
        resolved = self._resolve(command, cwd, depth + 1)
        if resolved:  # a task found but seen to do nothing known is judged by its name, as one not found
            return resolved
        found = dict.fromkeys(command_capabilities(command), True)
        if command.program == "ruff" and command.operands[:1] in ([], ["check"]) and self._ruff_scans(command.args):
            found[SAST] = True
        names = task_targets(command) if command.program in _TASK_RUNNERS else []
        if command.program in ("tox", "nox"):  # their environments are named after -e / -s, not as operands
            names = tox_envs(command)
        if command.scripted or command.path_like:
            names.append(command.program.rsplit(".", 1)[0])
        for name in names:
            merge(found, dict.fromkeys(name_capabilities(name), True))
        return found

    def _ruff_scans(self, args: tuple[str, ...]) -> bool:
        """Return whether a `ruff check` runs bandit's rules: selected on its command line, else by its config.

        CTFd/CTFd 596ba7cdbf replaced `bandit -r CTFd` with ruff's `S` rules in pyproject.toml: SAST still runs.
        """
        selected: bool | None = None  # what `--select` says: it replaces the configuration's selection
        for index, arg in enumerate(args):
            option, _, value = arg.partition("=")
            if option in ("--select", "--extend-select"):
                chosen = value or (args[index + 1] if index + 1 < len(args) else "")
                security = any(ci_config.is_security_selector(code) for code in chosen.split(","))
                if security and option == "--extend-select":
                    return True
                if option == "--select":
                    selected = security
        if selected is not None:
            return selected
        if self._ruff_config_scans is None:
            self._ruff_config_scans = any(
                data.get("ruff_security") for path, data in self.configs.items()
                if data.get("type") in ("pyproject", "ruff") and "/" not in path)
        return self._ruff_config_scans

    def _resolve(self, command: Command, cwd: str, depth: int) -> Found | None:
        """Return what a task runner or script provides when its definition is in the tree, else None."""
        program = command.program
        if program in ("make", "gmake"):
            return self._make(command, cwd, depth)
        if program == "tox":
            return self._tox(command, cwd, depth)
        if program == "nox":
            return self._nox(command, cwd, depth)
        if program in ("pre-commit", "prek") and command.operands[:1] == ["run"]:
            return self.pre_commit(command.operands[1:2])
        if command.runner in ("npm", "pnpm", "yarn", "bun"):
            return self._npm(command.written, cwd, depth)
        if program in ("npm", "pnpm", "yarn", "bun") and command.operands[:1] in (["test"], ["t"]):
            return self._npm("test", cwd, depth)
        if command.runner == "hatch":
            env, _, name = command.written.rpartition(":")
            return self._pyproject_script(f"hatch:{env or 'default'}:{name}", cwd, depth)
        if program == "poe" and command.operands:
            return self._pyproject_script(f"poe:{command.operands[0]}", cwd, depth)
        if command.path_like:
            script = self.config(_join(cwd, command.written), "script")
            return None if script is None else self.script(script["text"], cwd, depth)
        if program in ("bash", "sh") and command.operands[:1]:
            script = self.config(_join(cwd, command.operands[0]), "script")
            return None if script is None else self.script(script["text"], cwd, depth)
        return None

    def _make(self, command: Command, cwd: str, depth: int) -> Found | None:
        """Return what `make [-C dir] [-f file] targets` runs, from the Makefile's recipes."""
        args = list(command.args)
        folder, name = cwd, "Makefile"
        for flag, value in itertools.pairwise([*args, ""]):  # each argument with the next (none after the last)
            if flag in ("-C", "--directory"):
                folder = _join(cwd, value)
            if flag in ("-f", "--file", "--makefile"):
                name = value
        makefile = next((m for n in (name, "makefile", "GNUmakefile")
                         if (m := self.config(_join(folder, n), "make")) is not None), None)
        if makefile is None:
            return None
        goals = [t for t in task_targets(command) if "=" not in t] or [makefile["default"]]
        found: Found = {}
        for goal in goals:
            merge(found, self._make_target(makefile, goal, folder, depth, set()))
        return found

    def _make_target(self, makefile: Mapping[str, Any], goal: str, folder: str, depth: int, seen: set[str]) -> Found:
        """Return what one make target runs: its prerequisites, then its recipe (a `-` line is advisory)."""
        target = makefile["targets"].get(goal)
        if target is None or goal in seen or depth > MAX_DEPTH:
            return dict.fromkeys(name_capabilities(goal), True) if target is None else {}
        seen.add(goal)
        found: Found = {}
        for dep in target["deps"]:
            merge(found, self._make_target(makefile, dep, folder, depth + 1, seen))
        for line in target["recipe"]:
            text = _substitute(line, makefile["vars"]).lstrip("@+ ")
            advisory = text.startswith("-")
            merge(found, self.script(text.lstrip("-@+ "), folder, depth + 1), advisory)
        return found

    def _tox_config(self, cwd: str) -> dict[str, Any] | None:
        """Return the tox configuration of a folder in tox's order: tox.ini, pyproject's [tool.tox], tox.toml."""
        tox = self.config(_join(cwd, "tox.ini"), "tox")
        pyproject = self.config(_join(cwd, "pyproject.toml"), "pyproject")
        return tox or (pyproject or {}).get("tox") or self.config(_join(cwd, "tox.toml"), "tox")

    def _tox(self, command: Command, cwd: str, depth: int) -> Found | None:
        """Return what `tox [-e envs]` runs, from the environments' commands."""
        config = self._tox_config(cwd)
        if config is None:
            return None
        envs = tox_envs(command) or config["envlist"] or ["<default>"]
        found: Found = {}
        for env in envs:
            table = config["envs"].get(env) or config["envs"].get("<default>")
            if table is None or not table["commands"]:
                merge(found, dict.fromkeys(name_capabilities(env), True))
                continue
            for line in table["commands"]:
                advisory = table["advisory"] or line.startswith("-")
                merge(found, self.script(line.lstrip("- "), cwd, depth), advisory)
        return found

    def _nox(self, command: Command, cwd: str, depth: int) -> Found | None:
        """Return what `nox [-s sessions]` runs, from the sessions' `session.run` calls."""
        config = self.config(_join(cwd, "noxfile.py"), "nox")
        if config is None:
            return None
        sessions = tox_envs(command) or list(config["sessions"])
        found: Found = {}
        for session in sessions:
            commands = config["sessions"].get(session)
            if not commands:
                merge(found, dict.fromkeys(name_capabilities(session), True))
            for line in commands or []:
                merge(found, self.script(line, cwd, depth))
        return found

    def _npm(self, target: str, cwd: str, depth: int) -> Found | None:
        """Return what `npm run X` / `npm test` runs, from package.json's scripts."""
        config = self.config(_join(cwd, "package.json"), "npm")
        script = config["scripts"].get(target) if config is not None else None
        return None if script is None else self.script(script, cwd, depth)

    def _pyproject_script(self, key: str, cwd: str, depth: int) -> Found | None:
        """Return what a hatch script or a poe task runs, from pyproject.toml."""
        config = self.config(_join(cwd, "pyproject.toml"), "pyproject")
        lines = config["scripts"].get(key) if config is not None else None
        if lines is None:
            return None
        found: Found = {}
        for line in lines:
            merge(found, self.script(line, cwd, depth))
        return found

    def pre_commit(self, hook_ids: list[str], ci_only: bool = False) -> Found:
        """Return what `pre-commit run [hook]` runs (or pre-commit.ci, without its skips)."""
        config = self.config(".pre-commit-config.yaml", "pre-commit") or self.config(
            ".pre-commit-config.yml", "pre-commit")
        if config is None:
            return {LINT: True}
        hooks = [(h, entry) for h, entry in config["hooks"] if not hook_ids or h in hook_ids]
        if ci_only:
            hooks = [(h, entry) for h, entry in hooks if h not in config["skip"]]
        found: Found = {}
        for hook, entry in hooks:
            from_entry = self.script(entry, "", MAX_DEPTH) if entry and not ci_only else {}
            merge(found, from_entry or dict.fromkeys(hook_capabilities(hook), True))
            if hook in RUFF_HOOKS and self._ruff_scans(()):
                found[SAST] = True
        return found

    def uses(self, uses: str, depth: int) -> Found:
        """Return what an action or a reusable workflow provides."""
        if uses.startswith("./") and uses.endswith((".yml", ".yaml")) and depth <= MAX_DEPTH:
            called = self.config(_join("", uses), "workflow")
            return self.runs(called["runs"], depth + 1) if called is not None else {}
        if uses.startswith("./") and depth <= MAX_DEPTH:  # a local composite action
            folder = _join("", uses)
            action = self.config(f"{folder}/action.yml", "action") or self.config(f"{folder}/action.yaml", "action")
            if action is not None:
                return self.runs(action["runs"], depth + 1)
        if action_name(uses) in _PRE_COMMIT_ACTIONS:
            return self.pre_commit([])
        found = dict.fromkeys(action_capabilities(uses), True)
        tests, lint = action_kinds(uses)
        if tests:
            found[TESTS] = True
        if lint and TYPES not in found:
            found[LINT] = True
        return found

    def runs(self, runs: list[dict[str, Any]], depth: int = 0) -> Found:
        """Return what a workflow's or pipeline's runs provide."""
        found: Found = {}
        for run in runs:
            if "uses" in run:
                merge(found, self.uses(run["uses"], depth), run["advisory"])
            else:
                merge(found, self.script(run["script"], run.get("cwd", ""), depth, run["pipefail"]), run["advisory"])
        return found


_TASK_RUNNERS = frozenset({"make", "gmake", "just", "task", "invoke", "inv", "poe", "tox", "nox", "hatch", "npm",
                           "pnpm", "yarn", "bun", "pdm", "rye", "pixi", "mage"})


def _join(cwd: str, path: str) -> str:
    """Return a repository path from a folder and a path written in a command."""
    joined = posixpath.normpath(posixpath.join(cwd, path)) if path else cwd
    return joined.removeprefix("./")


def _substitute(line: str, variables: Mapping[str, str]) -> str:
    """Replace make variable references by their values (`$(MAKE)` is make; unknown ones are dropped)."""
    for _ in range(3):
        line = _MAKE_VAR_REF.sub(lambda m: "make" if m.group(1) == "MAKE" else variables.get(m.group(1), ""), line)
    return line.replace("$$", "$")


@per_view
def capabilities(view: RepoView) -> Capabilities:
    """Return which capabilities the snapshot's CI runs on pull requests, and where."""
    resolver = Resolver(view)
    result = Capabilities()
    for path, config in sorted(resolver.configs.items()):
        kind = config.get("type")
        if kind == "workflow" and config["on_pr"]:
            result.has_ci = True
            result.add(path, resolver.runs(config["runs"]))
        elif kind == "gitlab":
            result.has_ci = True
            found = resolver.runs(config["runs"])
            for include in config["includes"]:
                stem = include.rsplit("/", 1)[-1].split(".", 1)[0].lower()
                if stem in _GITLAB_TEMPLATES:
                    found.setdefault(_GITLAB_TEMPLATES[stem], True)
            result.add(path, found)
        elif kind == "pre-commit" and config["ci"]:
            result.has_ci = True  # pre-commit.ci runs on pull requests
            result.add(path, resolver.pre_commit([], ci_only=True))
    return result


__all__ = ["Capabilities", "Resolver", "capabilities", "parse_command"]
