"""The capabilities a CI command, action or pre-commit hook provides: tests, lint, type check, SAST...

Each capability is one checklist unit of the CI metrics, with a human label. Security tools have their
own capability: bandit is SAST, not lint, so one ruff step cannot hide the loss of every scan.
"""

from __future__ import annotations

import re

from app.checks.ci.commands import LINT_NAME, TEST_NAME, UMBRELLA_NAME, Command, classify
from app.checks.ci.workflow import action_name

TESTS, LINT, TYPES, SAST, SECRETS, AUDIT, SCAN, BUILD = (
    "tests", "lint", "types", "sast", "secrets", "audit", "scan", "build",
)
LABELS = {
    TESTS: "CI runs the tests",
    LINT: "CI runs a linter",
    TYPES: "CI runs a type check",
    SAST: "CI runs SAST (bandit, semgrep, CodeQL)",
    SECRETS: "CI runs secret scan",
    AUDIT: "CI runs dependency audit",
    SCAN: "CI runs container/IaC scan",
    BUILD: "CI runs a build",
}
SECURITY = (SAST, SECRETS, AUDIT, SCAN)

# Programs by capability (whatever their arguments).
_PROGRAMS: dict[str, frozenset[str]] = {
    TYPES: frozenset({"mypy", "dmypy", "pyright", "basedpyright", "pytype", "pyre", "vue-tsc", "tsc", "stubtest"}),
    SAST: frozenset({"bandit", "semgrep", "opengrep", "codeql", "gosec", "brakeman", "njsscan", "bearer",
                     "horusec", "flawfinder", "pysa", "snyk-code"}),
    SECRETS: frozenset({"gitleaks", "trufflehog", "detect-secrets", "detect-secrets-hook", "ggshield",
                        "git-secrets", "talisman", "detect-private-key", "secretlint", "betterleaks"}),
    AUDIT: frozenset({"pip-audit", "safety", "osv-scanner", "govulncheck", "bundler-audit", "bundle-audit",
                      "cargo-audit", "cargo-deny", "audit-ci", "better-npm-audit", "retire", "jake", "grype"}),
    SCAN: frozenset({"trivy", "hadolint", "checkov", "tfsec", "terrascan", "kics", "dockle", "kube-score",
                     "kubesec", "kubescape", "polaris", "snyk-iac", "docker-scout", "conftest"}),
}
# Programs that do a capability when their first operand is one of these subcommands.
_SUBCOMMANDS: dict[str, dict[str, frozenset[str]]] = {
    TYPES: {"ty": frozenset({"check"})},
    AUDIT: {"npm": frozenset({"audit"}), "yarn": frozenset({"audit"}), "pnpm": frozenset({"audit"}),
            "cargo": frozenset({"audit", "deny"}), "bundle": frozenset({"audit"}), "uv": frozenset({"audit"}),
            "snyk": frozenset({"test"}), "composer": frozenset({"audit"}), "poetry": frozenset({"audit"})},
    SCAN: {"snyk": frozenset({"iac", "container"}), "docker": frozenset({"scout"})},
    SAST: {"snyk": frozenset({"code"}), "gh": frozenset({"codeql"})},
    BUILD: {"docker": frozenset({"build", "buildx"}), "podman": frozenset({"build"}), "buildah": frozenset({"bud"}),
            "uv": frozenset({"build"}), "poetry": frozenset({"build"}), "hatch": frozenset({"build"}),
            "pdm": frozenset({"build"}), "flit": frozenset({"build"}), "maturin": frozenset({"build"}),
            "cargo": frozenset({"build"}), "go": frozenset({"build"}), "pip": frozenset({"wheel"}),
            "setup.py": frozenset({"sdist", "bdist_wheel", "build"}), "docker-compose": frozenset({"build"}),
            "rye": frozenset({"build"}), "dotnet": frozenset({"build"}), "mvn": frozenset({"package"}),
            "bazel": frozenset({"build"}), "swift": frozenset({"build"})},
}
_BUILD_PROGRAMS = frozenset({"pyproject-build", "build", "kaniko", "ko", "goreleaser", "cibuildwheel"})
# Action names (owner/repo or a word in them) by capability.
_ACTION_WORDS: dict[str, tuple[str, ...]] = {
    SAST: ("codeql", "bandit", "semgrep", "gosec", "snyk/actions/code", "njsscan", "bearer"),
    SECRETS: ("gitleaks", "trufflehog", "detect-secrets", "ggshield", "secret-scan", "secretlint"),
    AUDIT: ("pip-audit", "osv-scanner", "dependency-review", "safety", "govulncheck", "audit-check"),
    SCAN: ("trivy", "hadolint", "checkov", "tfsec", "kics", "anchore/scan-action", "scout-action", "grype",
           "terrascan", "kubescape"),
    TYPES: ("mypy", "pyright", "pytype"),
    BUILD: ("docker/build-push-action", "build-and-inspect-python-package", "cibuildwheel", "maturin-action",
            "goreleaser"),
}
# Words in task names (make targets, tox envs, nox sessions) whose bodies are out of sight.
_NAME_WORDS: dict[str, re.Pattern[str]] = {
    TYPES: re.compile(r"(?:^|[-_:])(?:mypy|pyright|typecheck|type-check|types|typing|check-types|tsc)(?:$|[-_:])"),
    SAST: re.compile(r"(?:^|[-_:])(?:bandit|semgrep|codeql|sast)(?:$|[-_:])"),
    SECRETS: re.compile(r"(?:^|[-_:])(?:gitleaks|trufflehog|detect-secrets|secrets)(?:$|[-_:])"),
    AUDIT: re.compile(r"(?:^|[-_:])(?:pip-audit|safety|audit|osv|vulns?|vulnerabilit(?:y|ies))(?:$|[-_:])"),
    SCAN: re.compile(r"(?:^|[-_:])(?:trivy|hadolint|checkov|tfsec)(?:$|[-_:])"),
    BUILD: re.compile(r"^(?:build|dist|sdist|wheel|docker-build|build-[\w-]+|package)$"),
}


def tools(capability: str) -> list[str]:
    """Return the programs recognised for a capability, for the documentation."""
    found = set(_PROGRAMS.get(capability, frozenset()))
    found |= {f"{program} {sub}" for program, subs in _SUBCOMMANDS.get(capability, {}).items() for sub in subs}
    return sorted(found)


def program_capabilities(program: str, operands: list[str]) -> set[str]:
    """Return the non-test, non-lint capabilities of a program from its name and first operand."""
    found = {cap for cap, programs in _PROGRAMS.items() if program in programs}
    first = operands[0] if operands else ""
    found |= {cap for cap, table in _SUBCOMMANDS.items() if first in table.get(program, frozenset())}
    if program in _BUILD_PROGRAMS:
        found.add(BUILD)
    if program == "tsc" and "--noEmit" not in operands and "--noemit" not in operands:
        found.add(BUILD)
    return found


def command_capabilities(command: Command) -> set[str]:
    """Return what a simple command does, judged from itself (task runner targets by their names)."""
    tests, lint = classify(command)
    found = program_capabilities(command.program, command.operands)
    if command.program == "python" and command.operands[:1] == ["build"]:
        found.add(BUILD)
    if tests:
        found.add(TESTS)
    # Type checkers and security scanners have their own units: they are not "a linter".
    if lint and not found & {TYPES, *SECURITY}:
        found.add(LINT)
    return found


def name_capabilities(name: str) -> set[str]:
    """Return what a task named `name` probably does when its body is out of sight (`make typecheck`)."""
    lowered = name.lower()
    found = {cap for cap, pattern in _NAME_WORDS.items() if pattern.search(lowered)}
    if UMBRELLA_NAME.match(lowered):
        found |= {TESTS, LINT}
    if TEST_NAME.match(lowered):
        found.add(TESTS)
    if LINT_NAME.match(lowered) and not found & {TYPES}:
        found.add(LINT)
    return found


def action_capabilities(uses: str) -> set[str]:
    """Return the capabilities of a `uses:` action (or a remote reusable workflow) from its name."""
    lowered = uses.lower().split("@", 1)[0]
    name = action_name(uses)
    found = {cap for cap, words in _ACTION_WORDS.items() if any(w in lowered for w in words)}
    return found if name else set()


def hook_capabilities(hook_id: str) -> set[str]:
    """Return what a pre-commit hook does: its tool's capability, or lint (hooks check files)."""
    lowered = hook_id.lower()
    found = program_capabilities(lowered, [])
    found |= {cap for cap, words in _ACTION_WORDS.items() if cap in SECURITY and any(w in lowered for w in words)}
    if lowered.startswith(("mypy", "pyright", "basedpyright")):
        found.add(TYPES)
    return found or {LINT}
