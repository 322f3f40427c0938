"""Checklist metric `ci-runs-checks`: GitHub Actions runs the tests and a linter.

Two units, "CI runs the tests" and "CI runs a linter". Each is good when some workflow has a live
job (not `if: false`) with a step that does it (see `app.checks.ci.commands`); its path is the first
workflow, by path, that provides the evidence, or `.github/workflows` when none does, so removing the
step that runs the tests turns the unit bad in the PR that removed it. An umbrella task (`make ci`,
`npm run check`, `./scripts/ci.sh`) counts for both units: its body is out of sight, and being generous
there means moving commands into a Makefile never reads as dropping them (a false block is worse than a
missed one). Reusable workflows from other repositories count by their file name (`test.yml`).

Applicability: the metric judges repositories with source code and no other CI system. A repository
with code and no workflows at all gets both units bad (no CI is the worst CI). A repository with no
source code (docs, configuration) has nothing for tests or linters to check and gets no units, and
neither does one configured for another CI service (GitLab, CircleCI, Travis, Azure Pipelines,
Jenkins, Buildkite, Drone, Woodpecker), which Verity cannot read: judging it would be a false "bad".
"""

from __future__ import annotations

from app.checks.base import Metric, MetricUnit, RepoView, matches_any
from app.engine.model import Domain

WORKFLOWS_DIR = ".github/workflows"
TESTS_LABEL = "CI runs the tests"
LINT_LABEL = "CI runs a linter"

# Extensions of source code that tests and linters apply to.
CODE_EXTENSIONS = frozenset({
    "py", "js", "jsx", "mjs", "cjs", "ts", "tsx", "vue", "svelte", "go", "rs", "java", "kt", "scala", "rb", "php",
    "c", "cc", "cpp", "cxx", "cs", "fs", "swift", "ex", "exs", "erl", "hs", "clj", "dart", "lua", "jl", "zig",
})
# Files and directories that show the repository runs its CI elsewhere.
OTHER_CI = (".gitlab-ci.yml", ".travis.yml", "Jenkinsfile", "azure-pipelines.yml", "bitbucket-pipelines.yml",
            ".drone.yml", "appveyor.yml", ".appveyor.yml", ".cirrus.yml")
OTHER_CI_DIRS = (".circleci/", ".buildkite/", ".woodpecker/", ".azure-pipelines/")


def has_code(view: RepoView) -> bool:
    """Return whether the snapshot holds source code outside `.github/` and excluded paths."""
    for path in view.all_paths:
        ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        if ext in CODE_EXTENSIONS and not path.startswith(".github/") and not matches_any(
            path, view.policy.paths.exclude
        ):
            return True
    return False


def uses_other_ci(view: RepoView) -> bool:
    """Return whether the repository is configured for a CI service other than GitHub Actions."""
    return any(p in view.all_paths for p in OTHER_CI) or any(
        p.startswith(OTHER_CI_DIRS) for p in view.all_paths
    )


def _evidence(view: RepoView, key: str) -> str:
    """Return the first workflow, by path, whose facts show it does `key`, or the workflows folder."""
    for path, facts in sorted(view.files.items()):
        if facts.kind == "workflow" and (facts.data.get("ci.workflow") or {}).get(key):
            return path
    return WORKFLOWS_DIR


def units(view: RepoView) -> list[MetricUnit]:
    """Return the two checklist units, or none when the repository has nothing for CI to judge."""
    if not has_code(view) or uses_other_ci(view):
        return []
    found = []
    for key, label in (("tests", TESTS_LABEL), ("lint", LINT_LABEL)):
        path = _evidence(view, key)
        found.append(MetricUnit(path, label, path != WORKFLOWS_DIR))
    return found


METRIC = Metric(
    "ci-runs-checks",
    Domain.CI,
    40.0,
    "GitHub Actions runs the tests and a linter (repositories with source code and no other CI service)",
    units,
    bad_plural="CI checks lost",
)
