"""Recognise, from a workflow step, whether it runs the tests or a linter.

A `run:` script is cut into simple commands (at `&&`, `||`, `;`, pipes, subshells and new
lines). Each command is unwrapped (environment assignments, `sudo`, `timeout`, `npx`,
`poetry run`, `uv run`, `python -m`, `bash script.sh`...) down to the program that does the
work, which is then judged from its name, subcommand and flags. Installing a tool
(`pip install pytest`) is not running it; a formatter that rewrites files (`black .`) is not
a linter, only its `--check` mode is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.checks.ci.workflow import action_name
from app.checks.infrastructure.yaml_tree import YMap

_SEGMENT_SPLIT = re.compile(r"&&|\|\||\$\(|[;|&\n()`]")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_VAR_PREFIX = re.compile(r"^(?:\$\{\w+\}|\$\w+(?=/))+/?")
_ENV_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"^(?:python[\d.]*|py|pypy[\d.]*)(?:\.exe)?$")
_SCRIPT_EXT = re.compile(r"\.(?:sh|bash|py|ps1|cmd|bat)$")

_SHELL_WORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time"})
# Programs that run the command after them unchanged (sfw: Socket's firewall around package installs and runs).
_PREFIXES = frozenset({"sudo", "exec", "env", "nice", "nohup", "xvfb-run", "command", "stdbuf", "unbuffer", "sfw",
                       "ionice", "chronic", "caffeinate"})
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "pwsh", "powershell"})
# Programs that run a tool named after their options (`uvx --with tox-uv tox -e lint`, `npx eslint .`).
_EXECUTORS = frozenset({"npx", "bunx", "pnpx", "uvx"})
_RUNNERS = frozenset({"poetry", "uv", "pdm", "pipenv", "rye", "pixi", "hatch", "conda", "mamba", "micromamba",
                      "bundle", "pnpm", "yarn", "npm", "bun", "pipx"})
_RUNNER_VERBS = frozenset({"run", "exec", "dlx"})
_CONTAINER_TOOLS = frozenset({"docker", "podman", "nerdctl"})
_COMPOSE_TOOLS = frozenset({"docker-compose", "podman-compose"})
# docker and docker compose options that take a value as the next word.
_CONTAINER_VALUE_OPTIONS = frozenset({
    "-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "-v", "--volume", "--mount", "--name",
    "-p", "--publish", "--network", "--net", "--entrypoint", "-f", "--file", "--project-name", "--profile",
    "--platform", "-l", "--label", "--add-host", "--cpus", "-m", "--memory", "--ipc", "--pid", "--hostname",
    "-h", "--project-directory", "--context", "-c", "--log-driver", "--log-opt", "--gpus", "--shm-size",
    "--cap-add", "--cap-drop", "--security-opt", "--tmpfs", "--device", "--runtime", "--pull", "--ulimit",
    "--volumes-from", "--link", "--dns", "--group-add", "--cidfile", "--detach-keys", "--index", "--ansi",
    "--progress", "--parallel", "-H", "--host", "--config", "--log-level",
})
_VALUE_OPTIONS = frozenset({"-n", "--name", "-p", "--prefix", "-C", "--directory", "--with", "--from", "--extra",
                            "--group", "--spec", "--with-requirements",
                            "--project", "--python", "-e", "--env", "--environment", "--only-group", "--package",
                            "--cwd", "-w", "--workspace", "--filter", "-F", "--dir", "-W", "-X", "-f", "--file",
                            "-j", "--jobs"})

TEST_NAME = re.compile(
    r"^(?:run[-_]?)?(?:all[-_])?(?:unit[-_]?|integration[-_]?|e2e[-_]?)?(?:tests?|unittests?|specs?|e2e|integration"
    r"|coverage|cov)(?:[:_-][\w:.-]*)?$|^[\w.-]*[:_-](?:tests?|unittests?|e2e)$"
)
LINT_NAME = re.compile(
    r"^(?:run[-_]?)?(?:lint|linters?|style|typecheck|type-check|types?|mypy|flake8|ruff|pylint|eslint|pre-?commit"
    r"|static[-_]?analysis|format[-_:]?check|fmt[-_:]?check|check[-_:]?(?:style|format|fmt|lint|types?))"
    r"(?:[:_-][\w:.-]*)?$|^[\w.-]*[:_-](?:lint|style|typecheck|types)$"
)
# Umbrella tasks (`make ci`, `npm run check`, `./scripts/ci.sh`) usually run everything and their body is
# out of sight: count them as both, so moving commands into a Makefile never reads as dropping them.
UMBRELLA_NAME = re.compile(r"^(?:run[-_]?)?(?:ci|check|checks|verify|validate)(?:[:_-][\w:.-]*)?$")

# Programs that run tests whatever their arguments.
_TEST_PROGRAMS = frozenset({
    "pytest", "py.test", "nose", "nose2", "nosetests", "green", "trial", "ward", "behave", "stestr", "unittest",
    "xmlrunner", "jest", "vitest", "mocha", "ava", "karma", "jasmine", "tap", "tape", "rspec", "phpunit", "pest",
    "ctest", "gotestsum", "ginkgo", "busted", "prove", "bats", "testcafe", "wdio", "invoke-pester",
})
# Programs that run tests when their first operand is one of these subcommands.
_TEST_SUBCOMMANDS = {
    "go": {"test"}, "richgo": {"test"}, "cargo": {"test", "nextest"}, "dotnet": {"test"}, "swift": {"test"},
    "mix": {"test"}, "deno": {"test"}, "bazel": {"test"}, "bazelisk": {"test"}, "stack": {"test"},
    "cabal": {"test"}, "lein": {"test"}, "dune": {"test", "runtest"}, "rake": {"test", "spec"},
    "coverage": {"run"}, "flutter": {"test"}, "dart": {"test"}, "playwright": {"test"}, "cypress": {"run"},
    "hatch": {"test"}, "meson": {"test"}, "ninja": {"test", "check"}, "manage.py": {"test"},
    "setup.py": {"test", "pytest"}, "django": {"test"}, "django-admin": {"test"}, "bun": {"test"},
    "npm": {"test", "t", "tst"}, "pnpm": {"test", "t"}, "yarn": {"test"}, "sbt": {"test"}, "zig": {"test"},
}
# Programs that lint whatever their arguments.
_LINT_PROGRAMS = frozenset({
    "flake8", "pylint", "mypy", "dmypy", "pyright", "basedpyright", "pytype", "pyre", "eslint", "tslint",
    "stylelint", "golangci-lint", "staticcheck", "golint", "revive", "rubocop", "standardrb", "shellcheck",
    "hadolint", "yamllint", "actionlint", "markdownlint", "markdownlint-cli2", "pydocstyle", "pycodestyle",
    "pyflakes", "bandit", "codespell", "ktlint", "detekt", "swiftlint", "clang-tidy", "cpplint", "cppcheck",
    "phpstan", "phpcs", "psalm", "tflint", "vale", "semgrep", "pylama", "prospector", "xo", "oxlint", "vulture",
    "darglint", "editorconfig-checker", "cfn-lint", "ansible-lint", "luacheck", "erb_lint", "haml-lint",
    "kube-linter", "zizmor", "interrogate", "deptry", "slither", "solhint", "checkstyle", "pmd",
})
_LINT_SUBCOMMANDS = {
    "go": {"vet"}, "cargo": {"clippy"}, "deno": {"lint"}, "mix": {"credo", "dialyzer"}, "flutter": {"analyze"},
    "dart": {"analyze"}, "helm": {"lint"}, "buf": {"lint"}, "terraform": {"validate"}, "tofu": {"validate"},
    "sqlfluff": {"lint"}, "biome": {"check", "lint", "ci"}, "pre-commit": {"run"}, "prek": {"run"},
    "ty": {"check"}, "taplo": {"check", "lint"}, "dprint": {"check"}, "ruff": {"check"},
}
# Formatters that only lint in their checking mode.
_LINT_FLAGS = {
    "black": {"--check", "--diff"}, "isort": {"--check", "--check-only", "-c", "--diff"},
    "prettier": {"--check", "-c", "--list-different", "-l"}, "gofmt": {"-l", "-d"}, "yapf": {"--diff", "-d"},
    "autopep8": {"--diff", "-d"}, "clang-format": {"--dry-run", "-n"}, "swiftformat": {"--lint"},
    "djlint": {"--lint", "--check"}, "scalafmt": {"--test", "--check", "--list"}, "ruff": {"--check", "--diff"},
    "cargo": {"--check"}, "deno": {"--check"}, "mix": {"--check-formatted"}, "dotnet": {"--verify-no-changes"},
    "dart": {"--set-exit-if-changed"}, "taplo": {"--check"}, "terraform": {"-check"}, "tofu": {"-check"},
    "tsc": {"--noEmit", "--noemit"},
}
_SCRIPT_RUNNERS = frozenset({"make", "gmake", "just", "task", "invoke", "inv", "poe", "mage", "nx", "turbo", "lerna",
                             "moon", "earthly", "npm", "pnpm", "yarn", "bun", "hatch", "pdm", "rye", "pixi", "tox",
                             "nox"})
_TEST_ACTIONS = frozenset({"cypress-io/github-action", "pavelzw/pytest-action", "julia-actions/julia-runtest"})
_LINT_ACTION_WORDS = ("lint", "ruff", "flake8", "mypy", "pre-commit", "clippy", "shellcheck", "rubocop", "prettier",
                      "pyright", "isort", "checkstyle", "codespell", "reviewdog/", "zizmor")
_COMMAND_INPUTS = frozenset({"run", "command", "commands", "script", "args", "cmd", "test-command",
                             "coveragecommand"})
_NON_TEST_ENVS = re.compile(r"^(?:docs?|build|release|publish|pkg|package|readme|manifest|clean|dev|sdist|wheel)")


@dataclass(frozen=True)
class Command:
    """A simple command unwrapped to the program that does the work."""

    program: str
    args: tuple[str, ...]
    scripted: bool  # named through a task runner (`hatch run test`), so the name may be a script's
    path_like: bool  # written as a path (`./scripts/test.sh`), so it is not a shell builtin
    written: str = ""  # the program as written (`./scripts/test.sh`), to find a script in the tree
    runner: str = ""  # the runner unwrapped to reach it (`hatch` in `hatch run lint:check`)

    @property
    def operands(self) -> list[str]:
        """Return the arguments that are not options."""
        return [a for a in self.args if not a.startswith("-")]


# `${EXTRA:+--extra=$EXTRA}` is an option or nothing: the shell's alternate value of a variable, set or not.
_OPTIONAL_OPTION = re.compile(r"\$\{\w+:?\+-[^}]*\}")


def _skip_options(words: list[str], index: int) -> int:
    """Return the index of the first word at or after `index` that is not an option (or its value)."""
    while index < len(words) and (words[index].startswith("-") or _OPTIONAL_OPTION.fullmatch(words[index])):
        index += 2 if words[index] in _VALUE_OPTIONS else 1
    return index


def _unwrap_python(words: list[str], index: int) -> tuple[int, bool]:
    """Skip `python [opts] -m`; return where the program starts and whether it is a module."""
    index += 1
    while index < len(words) and words[index].startswith("-"):
        if words[index] == "-m":
            return index + 1, True
        index += 2 if words[index] in _VALUE_OPTIONS else 1
    return index, False


def _unwrap_step(words: list[str], index: int) -> tuple[int, bool] | None:
    """Skip one wrapper word; return the new index and whether a runner was unwrapped, or None."""
    word = words[index]
    base = word.rsplit("/", 1)[-1]
    nxt = words[index + 1] if index + 1 < len(words) else ""
    if _ENV_ASSIGN.match(word) or word in _SHELL_WORDS:
        return index + 1, False
    if base in _PREFIXES or base in _EXECUTORS or base in _SHELLS:
        return _skip_options(words, index + 1), False
    if base == "timeout":
        return _skip_options(words, index + 1) + 1, False
    if base in _RUNNERS and nxt in _RUNNER_VERBS:
        return _skip_options(words, index + 2), True
    if base == "uv" and nxt == "tool" and words[index + 2:index + 3] == ["run"]:  # `uv tool run ruff`: uvx
        return _skip_options(words, index + 3), False
    if _PYTHON.match(base):
        return _unwrap_python(words, index)[0], False
    if base in _CONTAINER_TOOLS or base in _COMPOSE_TOOLS:
        inner = _unwrap_container(words, index)
        return None if inner is None else (inner, False)
    return None


def _skip_container_options(words: list[str], index: int) -> int:
    """Return the index of the first word at or after `index` that is not a docker option (or its value)."""
    while index < len(words) and words[index].startswith("-"):
        word = words[index]
        index += 2 if word in _CONTAINER_VALUE_OPTIONS and "=" not in word else 1
    return index


def _unwrap_container(words: list[str], index: int) -> int | None:
    """Skip `docker compose [opts] exec|run [opts] SERVICE` or `docker run|exec [opts] IMAGE`; None otherwise.

    The command after the service or image runs inside the container: it is what the step does.
    """
    compose = words[index].rsplit("/", 1)[-1] in _COMPOSE_TOOLS
    index = _skip_container_options(words, index + 1)
    if not compose and index < len(words) and words[index] == "compose":
        compose = True
        index = _skip_container_options(words, index + 1)
    verbs = ("exec", "run") if compose else ("run", "exec", "container")
    if index >= len(words) or words[index] not in verbs:
        return None
    if words[index] == "container":  # `docker container run|exec`
        index += 1
        if index >= len(words) or words[index] not in ("run", "exec"):
            return None
    index = _skip_container_options(words, index + 1) + 1  # the service, container or image
    return index if index < len(words) else None


# A GitHub Actions expression is one word however it is spaced: `--python=${{ matrix.python-version }}`.
_EXPRESSION = re.compile(r"\$\{\{.{0,200}?\}\}")


def parse_command(segment: str) -> Command | None:
    """Return the program a simple shell command runs, with its arguments."""
    if "${{" in segment:
        segment = _EXPRESSION.sub(lambda match: "".join(match.group(0).split()), segment)
    words = [w.strip("'\"") for w in segment.split()]
    words = [w for w in words if w]
    index, scripted, runner = 0, False, ""
    while index < len(words):
        step = _unwrap_step(words, index)
        if step is None:
            break
        if step[1]:
            runner = words[index].rsplit("/", 1)[-1]
        index, unwrapped = step
        scripted = scripted or unwrapped
    if index >= len(words):
        return None
    word = _VAR_PREFIX.sub("", words[index]) or words[index]  # `${PREFIX}pytest`, `$VENV/bin/pytest`
    program = word.rsplit("/", 1)[-1].lower()
    if index > 0 and "@" in program[1:]:
        program = program.split("@", 1)[0]  # a tool an executor runs at a version: `uvx ruff@0.6 check`
    path_like = "/" in word or bool(_SCRIPT_EXT.search(word))
    return Command(program, tuple(words[index + 1 :]), scripted, path_like, word, runner)


def commands(script: str) -> list[Command]:
    """Return the simple commands of a shell script, comments and continuations removed."""
    script = script.replace("\\\r\n", " ").replace("\\\n", " ")
    lines = (_COMMENT.sub("", line) for line in script.splitlines())
    found: list[Command] = []
    for line in lines:
        for segment in _SEGMENT_SPLIT.split(line):
            command = parse_command(segment)
            if command is not None:
                found.append(command)
    return found


def _script_name(command: Command) -> str:
    """Return the name a script file or task runner target goes by, without `run_` or extension."""
    return _SCRIPT_EXT.sub("", command.program)


# Package managers run one script a command; the words after it are that script's arguments.
SCRIPT_RUNNERS_ONE_TASK = frozenset({"npm", "pnpm", "yarn", "bun"})


def task_targets(command: Command) -> list[str]:
    """Return the targets a task runner is asked to run (`make -C x test lint` gives test, lint)."""
    operands: list[str] = []
    skip = False
    for arg in command.args:
        if skip:
            skip = False
        elif arg == "--":
            break
        elif arg.startswith("-"):
            skip = arg in _VALUE_OPTIONS
        elif "=" not in arg:
            operands.append(arg)
    if command.program in SCRIPT_RUNNERS_ONE_TASK:
        return _package_script(operands)
    verbs = {"run", "run-script", "rr", "workspace", "exec"}
    return [o for o in operands if o not in verbs]


def _package_script(operands: list[str]) -> list[str]:
    """Return the one script a package manager runs: `yarn cypress build` runs `cypress` (given `build`)."""
    if operands[:1] == ["workspace"]:
        operands = operands[2:]  # `yarn workspace web build`: the `build` script of the `web` workspace
    elif operands[:1] in (["run"], ["run-script"], ["rr"], ["exec"]):
        operands = operands[1:]
    return operands[:1]


def tox_envs(command: Command) -> list[str]:
    """Return the tox environments or nox sessions named on the command line (none: the defaults)."""
    envs: list[str] = []
    collecting = False  # nox takes several sessions after one `-s`
    for arg in command.args:
        if arg == "--":
            break
        if arg in ("-e", "-s", "--session", "--sessions"):
            collecting = True
        elif arg.startswith(("-e=", "--session=")) or (arg.startswith("-e") and arg != "-e"):
            envs.extend(arg.split("=", 1)[-1].removeprefix("-e").split(","))
            collecting = False
        elif arg.startswith("-"):
            collecting = False
        elif collecting:
            envs.extend(arg.split(","))
            collecting = command.program == "nox"
    return [e for e in envs if e]


def _tox_kinds(command: Command) -> tuple[bool, bool]:
    """Return (runs tests, runs linters) for a tox or nox command, from its environment names."""
    envs = tox_envs(command)
    if not envs:
        return True, False
    lint = [e for e in envs if LINT_NAME.match(e.lower()) or "lint" in e.lower()]
    tests = [e for e in envs if e not in lint and not _NON_TEST_ENVS.match(e.lower())]
    return bool(tests), bool(lint)


def _is_gradle_test(task: str) -> bool:
    """Return whether a Gradle task runs tests (`test`, `check`, `build`, `:app:testDebugUnitTest`)."""
    name = task.rsplit(":", 1)[-1].lower()
    if any(word in name for word in ("lint", "detekt", "spotless", "checkstyle", "pmd")):
        return False
    return name in ("test", "check", "build") or name.endswith(("test", "check")) or name.startswith("test")


def _jvm_kinds(command: Command) -> tuple[bool, bool]:
    """Return (tests, lint) for Gradle and Maven invocations."""
    tasks = task_targets(command)
    lowered = " ".join(command.args).lower()
    lint = any(w in lowered for w in ("lint", "detekt", "spotless", "checkstyle", "pmd", "spotbugs"))
    if command.program.startswith("gradle"):
        excluded = "-x test" in lowered or "--exclude-task test" in lowered
        return not excluded and any(_is_gradle_test(t) for t in tasks), lint
    skipped = "-dskiptests" in lowered or "-dmaven.test.skip=true" in lowered
    phases = {"test", "verify", "install", "package", "deploy", "integration-test"}
    return not skipped and any(t in phases for t in tasks), lint


def _runner_kinds(command: Command) -> tuple[bool, bool]:
    """Return (tests, lint) for a task runner from the names of the targets it runs."""
    if command.program in ("tox", "nox"):
        return _tox_kinds(command)
    targets = [t.lower() for t in task_targets(command)]
    if command.program in ("npm", "pnpm"):
        targets = [t for t in targets if t not in ("ci", "install", "i")]  # installs, not scripts
    umbrella = any(UMBRELLA_NAME.match(t) for t in targets)
    tests = umbrella or any(TEST_NAME.match(t) for t in targets)
    return tests, umbrella or any(LINT_NAME.match(t) for t in targets)


def classify(command: Command) -> tuple[bool, bool]:
    """Return whether a command runs tests and whether it runs a linter."""
    program, operands, flags = command.program, command.operands, set(command.args)
    if program.startswith(("gradle", "mvn")):
        return _jvm_kinds(command)
    first = operands[0] if operands else ""
    tests = program in _TEST_PROGRAMS or first in _TEST_SUBCOMMANDS.get(program, ())
    lint = program in _LINT_PROGRAMS or first in _LINT_SUBCOMMANDS.get(program, ()) or bool(
        flags & _LINT_FLAGS.get(program, set())
    )
    if program == "ruff" and first not in ("format", "rule", "version", "clean", "server", "analyze", "config", ""):
        lint = True  # `ruff .` and `ruff src/` are the old spelling of `ruff check`
    if program in _SCRIPT_RUNNERS:
        runner_tests, runner_lint = _runner_kinds(command)
        tests, lint = tests or runner_tests, lint or runner_lint
    if command.scripted or command.path_like:
        name = _script_name(command)
        umbrella = bool(UMBRELLA_NAME.match(name))
        tests = tests or umbrella or bool(TEST_NAME.match(name))
        lint = lint or umbrella or bool(LINT_NAME.match(name))
    return tests, lint


def script_kinds(script: str) -> tuple[bool, bool]:
    """Return whether a shell script runs tests and whether it runs a linter."""
    tests = lint = False
    for command in commands(script):
        command_tests, command_lint = classify(command)
        tests, lint = tests or command_tests, lint or command_lint
    return tests, lint


def input_scripts(step: YMap) -> Iterable[str]:
    """Yield the step's shell text: `run`, and command-like inputs of actions that run commands."""
    run = step.get("run")
    if isinstance(run, str):
        yield run
    uses = step.get_str("uses") or ""
    with_map = step.get_map("with")
    if with_map is None or action_name(uses) == "actions/github-script":
        return
    for key, value in with_map.items():
        if isinstance(key, str) and key.lower() in _COMMAND_INPUTS and isinstance(value, str):
            prefix = "cargo " if action_name(uses) == "actions-rs/cargo" and key == "command" else ""
            yield prefix + value


def action_kinds(uses: str) -> tuple[bool, bool]:
    """Return (tests, lint) for a step's action or a job's reusable workflow, from its name."""
    name = action_name(uses)
    lowered = uses.lower().split("@", 1)[0]
    tests = name in _TEST_ACTIONS
    lint = any(word in name for word in _LINT_ACTION_WORDS) or "black" in re.split(r"[/_.-]", name)
    if lowered.endswith((".yml", ".yaml")):  # a reusable workflow: judge by its file name
        stem = lowered.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        tests, lint = tests or "test" in stem, lint or "lint" in stem
    return tests, lint


def step_kinds(step: YMap) -> tuple[bool, bool]:
    """Return whether a workflow step (or job calling a workflow) runs tests and whether it lints."""
    tests, lint = action_kinds(step.get_str("uses") or "")
    for script in input_scripts(step):
        script_tests, script_lint = script_kinds(script)
        tests, lint = tests or script_tests, lint or script_lint
    return tests, lint
