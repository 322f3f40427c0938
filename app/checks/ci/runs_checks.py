"""Checklist metrics of what CI runs on pull requests: `ci-runs-checks`, `ci-runs-safeguards`, `ci-exists`.

The capabilities come from parsed configuration (see `app.checks.ci.pipelines`): GitHub Actions
workflows that run for pull requests, GitLab CI, pre-commit (when CI runs it, or pre-commit.ci), and
the make/tox/nox/hatch/npm tasks and shell scripts they call. One unit per capability, good when
some command can fail the pipeline with it (enforcing), bad when it is absent or only advisory
(`continue-on-error`, `|| true`, `set +e`, piped without pipefail). A unit's path is the first CI file,
by path, that enforces it (else one where it is advisory, else `.github/workflows`); units keep their
identity by label, so moving a step to another workflow or CI system is not a loss, while deleting it,
its workflow, or making it advisory turns the unit bad in the PR that did it.

- `ci-runs-checks` (40 points): "CI runs the tests", "CI runs a linter".
- `ci-runs-safeguards` (30 points): type check (repositories with Python or TypeScript), SAST,
  secret scan, dependency audit, container/IaC scan (repositories with a Dockerfile, Kubernetes
  manifests or Terraform) and build (repositories with a Dockerfile or a Python build system).
- `ci-exists` (30 points): one bad unit, "CI runs on pull requests", when no CI configuration runs for
  pull requests at all, so that no CI (score 0) is never above a CI that runs with findings.

Applicability: repositories with source code and no CI service Verity cannot read (CircleCI, Travis,
Azure Pipelines, Jenkins, Buildkite, Drone, Woodpecker...), where judging would be a false "bad".
A repository with no source code has nothing for CI to check and gets no units.
"""

from __future__ import annotations

from app.checks.base import Metric, MetricUnit, RepoView, matches_any
from app.checks.ci.capabilities import AUDIT, BUILD, LABELS, LINT, SAST, SCAN, SECRETS, TESTS, TYPES, tools
from app.checks.ci.pipelines import Capabilities, capabilities
from app.checks.facts import ci_config
from app.checks.facts.python_modules import per_view
from app.engine.model import Domain

WORKFLOWS_DIR = ".github/workflows"
TESTS_LABEL = LABELS[TESTS]
LINT_LABEL = LABELS[LINT]
NO_CI_LABEL = "CI runs on pull requests"
ACCEPT_HINT = (
    "a CI capability the base enforced is gone; if the switch is deliberate (e.g. GitHub's default CodeQL "
    "setup, a scan moved to a service Verity cannot read), `/audit accept ci REASON`"
)

# Extensions of source code that tests and linters apply to.
CODE_EXTENSIONS = frozenset({
    "py", "js", "jsx", "mjs", "cjs", "ts", "tsx", "vue", "svelte", "go", "rs", "java", "kt", "scala", "rb", "php",
    "c", "cc", "cpp", "cxx", "cs", "fs", "swift", "ex", "exs", "erl", "hs", "clj", "dart", "lua", "jl", "zig",
})
TYPED_EXTENSIONS = frozenset({"py", "pyi", "ts", "tsx"})
# Files and directories that show the repository runs its CI on a service Verity cannot read.
OTHER_CI = (".travis.yml", "Jenkinsfile", "azure-pipelines.yml", "bitbucket-pipelines.yml",
            ".drone.yml", "appveyor.yml", ".appveyor.yml", ".cirrus.yml")
OTHER_CI_DIRS = (".circleci/", ".buildkite/", ".woodpecker/", ".azure-pipelines/")


@per_view
def _extensions(view: RepoView) -> set[str]:
    """Return the extensions of the snapshot's files outside `.github/` and excluded paths."""
    found: set[str] = set()
    for path in view.all_paths:
        name = path.rsplit("/", 1)[-1]
        if "." in name and not path.startswith(".github/") and not matches_any(path, view.policy.paths.exclude):
            found.add(name.rsplit(".", 1)[-1].lower())
    return found


def has_code(view: RepoView) -> bool:
    """Return whether the snapshot holds source code outside `.github/` and excluded paths."""
    return bool(_extensions(view) & CODE_EXTENSIONS)


def uses_other_ci(view: RepoView) -> bool:
    """Return whether the repository is configured for a CI service Verity cannot read."""
    return any(p in view.all_paths for p in OTHER_CI) or any(
        p.startswith(OTHER_CI_DIRS) for p in view.all_paths
    )


def _judged(view: RepoView) -> Capabilities | None:
    """Return the snapshot's CI capabilities, or None when the metrics do not apply."""
    if not has_code(view) or uses_other_ci(view):
        return None
    return capabilities(view)


def _unit(found: Capabilities, capability: str) -> MetricUnit:
    """Return one capability's unit: good when enforced, located where it is written."""
    path = found.enforcing.get(capability) or found.advisory.get(capability) or WORKFLOWS_DIR
    return MetricUnit(path, LABELS[capability], capability in found.enforcing)


def units(view: RepoView) -> list[MetricUnit]:
    """Return the tests and lint units, or none when the repository has nothing for CI to judge."""
    found = _judged(view)
    return [] if found is None else [_unit(found, TESTS), _unit(found, LINT)]


def _builds(view: RepoView) -> bool:
    """Return whether the repository has something to build: a Dockerfile or a Python build system."""
    if any(f.kind == "dockerfile" for f in view.files.values()) or "setup.py" in view.all_paths:
        return True
    return bool((view.data("pyproject.toml", ci_config.KEY) or {}).get("build"))


def _has_infrastructure(view: RepoView) -> bool:
    """Return whether the repository has a Dockerfile, Kubernetes manifests or Terraform for a scanner."""
    if any(p.endswith(".tf") for p in view.all_paths):
        return True
    return any(f.kind == "dockerfile" or f.data.get("yaml.manifest") == "kubernetes" for f in view.files.values())


def safeguard_units(view: RepoView) -> list[MetricUnit]:
    """Return the units of the safeguards that apply: type check, security scans, build."""
    found = _judged(view)
    if found is None:
        return []
    wanted = [SAST, SECRETS, AUDIT]
    if _extensions(view) & TYPED_EXTENSIONS:
        wanted.insert(0, TYPES)
    if _has_infrastructure(view) or SCAN in found.enforcing:
        wanted.append(SCAN)
    if _builds(view) or BUILD in found.enforcing:
        wanted.append(BUILD)
    return [_unit(found, capability) for capability in wanted]


def missing_ci_units(view: RepoView) -> list[MetricUnit]:
    """Return one bad unit when no CI runs for pull requests at all (no CI is the worst CI)."""
    found = _judged(view)
    return [MetricUnit(WORKFLOWS_DIR, NO_CI_LABEL, False)] if found is not None and not found.has_ci else []


ENFORCING = (
    "A unit is good when some command that can fail the pipeline provides it; a step under "
    "continue-on-error, a command ending in `|| true`, `|| echo` or `; exit 0`, run after `set +e`, or piped "
    "into another command without pipefail (a `run:` step with no `shell:`) is advisory, and advisory is bad. "
    "Sources: GitHub Actions workflows run for pull requests (and the local reusable workflows they call), "
    "GitLab CI, pre-commit when CI runs it or pre-commit.ci is configured, and the make targets, tox "
    "environments, nox sessions, hatch/poe/npm scripts and shell scripts they call, through docker compose "
    "exec/run and docker run/exec"
)


def _described(capabilities: tuple[str, ...]) -> str:
    """Return the units of some capabilities with the tools recognised for each (from the live tables)."""
    parts = []
    for capability in capabilities:
        names = tools(capability)
        parts.append(f'"{LABELS[capability]}"' + (f" ({', '.join(names)})" if names else ""))
    return "; ".join(parts)


METRIC = Metric(
    "ci-runs-checks",
    Domain.CI,
    40.0,
    f"Units: {_described((TESTS, LINT))}. {ENFORCING}. Repositories with source code and no CI service "
    "Verity cannot read",
    units,
    ACCEPT_HINT,
    bad_plural="CI checks lost",
)
SAFEGUARDS = Metric(
    "ci-runs-safeguards",
    Domain.CI,
    30.0,
    f"Units: {_described((TYPES, SAST, SECRETS, AUDIT, SCAN, BUILD))}. The type check applies to Python and "
    "TypeScript code, the container/IaC scan to repositories with a Dockerfile, Kubernetes manifests or "
    "Terraform, the build to those with a Dockerfile or a Python build system. GitHub's CodeQL action and "
    "the security actions of the same names count too",
    safeguard_units,
    ACCEPT_HINT,
    bad_plural="CI safeguards lost",
)
EXISTS = Metric(
    "ci-exists",
    Domain.CI,
    30.0,
    f'One unit, "{NO_CI_LABEL}", bad when a repository with code has no CI that runs on pull requests at all, '
    "so that no CI (score 0) never scores above a CI that runs with findings",
    missing_ci_units,
)
