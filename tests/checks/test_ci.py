"""CI domain: CI001-CI007, the `ci.workflow` extractor, the command recogniser and `ci-runs-checks`."""

from __future__ import annotations

import textwrap

import pytest

from app.checks.ci.commands import script_kinds
from app.checks.ci.runs_checks import LINT_LABEL, TESTS_LABEL, WORKFLOWS_DIR
from app.engine.facts import analyse_text
from app.engine.model import Domain, Severity
from app.engine.repo_facts import compute
from app.engine.scoring import attribute, metric_states
from tests.helpers import file_findings, metric_units, repo_view

WF = ".github/workflows/ci.yml"
SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"


def found(text: str, code: str, path: str = WF) -> list[tuple[int, Severity | None]]:
    """Return (line, severity override) of one code's findings on a dedented workflow."""
    return [(f.line, f.severity) for f in file_findings(path, textwrap.dedent(text), code)]


def lines(text: str, code: str, path: str = WF) -> list[int]:
    """Return the lines of one code's findings on a dedented workflow."""
    return [line for line, _ in found(text, code, path)]


CLEAN = f"""\
name: ci
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@{SHA}  # v4
      - env:
          TITLE: ${{{{ github.event.pull_request.title }}}}
        run: |
          echo "$TITLE"
          python -m pytest -q
      - run: ruff check .
"""


def test_clean_workflow_has_no_ci_finding() -> None:
    found_codes = [f.code for f in analyse_text(WF, CLEAN).findings if f.code.startswith("CI")]
    assert found_codes == []


# --- CI001 invalid-workflow ----------------------------------------------------------------------------


def test_invalid_workflow_reports_the_parse_error_line() -> None:
    text = """\
    on: [push]
    jobs:
      test:
        steps:
          - run: pytest
         - run: ruff check .
    """
    findings = file_findings(WF, textwrap.dedent(text), "CI001")
    assert [f.line for f in findings] == [6]
    assert "does not parse" in findings[0].message


def test_workflow_without_jobs_or_on_is_invalid() -> None:
    assert lines("on: push\nname: x\n", "CI001") == [0]
    assert lines("jobs:\n  a:\n    runs-on: x\n", "CI001") == [0]
    assert lines("", "CI001") == [0]


def test_valid_workflow_and_actions_expressions_are_not_invalid() -> None:
    assert lines(CLEAN, "CI001") == []
    # `on` is YAML 1.1's boolean True for PyYAML; it is still the trigger key.
    assert lines("true: push\njobs: {}\n", "CI001") == []


def test_plain_yaml_that_does_not_parse_is_not_a_workflow_finding() -> None:
    assert file_findings("config/app.yml", "a: [1\n", "CI001") == []


# --- CI002 unpinned-action -----------------------------------------------------------------------------

UNPINNED = f"""\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
      - uses: github/codeql-action/init@main
      - uses: ./.github/actions/setup
      - uses: docker://alpine:3.19
      - uses: docker://alpine@sha256:{"a" * 64}
      - uses: docker/login-action@{SHA}
  shared:
    uses: acme/workflows/.github/workflows/ci.yml@v1
  local:
    uses: ./.github/workflows/reusable.yml
"""


def test_unpinned_action_severity_depends_on_the_owner_and_the_ref() -> None:
    assert found(UNPINNED, "CI002") == [
        (6, Severity.LOW),  # GitHub-owned, version tag
        (7, None),  # third party, version tag: medium
        (8, Severity.HIGH),  # a branch, even GitHub's own
        (10, None),
        (14, None),
    ]


@pytest.mark.parametrize(("uses", "severity"), [
    ("actions/setup-python@v5.1.0", Severity.LOW),
    ("github/codeql-action/analyze@v3", Severity.LOW),
    ("pypa/gh-action-pypi-publish@v1.8.14", None),
    ("pypa/gh-action-pypi-publish@release/v1", Severity.HIGH),
    ("actions/checkout@master", Severity.HIGH),
    ("dtolnay/rust-toolchain@stable", Severity.HIGH),
    ("acme/deploy", Severity.HIGH),
])
def test_unpinned_action_grades(uses: str, severity: Severity | None) -> None:
    workflow = f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {uses}\n"
    assert found(workflow, "CI002") == [(6, severity)]


def test_pinned_actions_are_clean() -> None:
    assert lines(CLEAN, "CI002") == []


def test_unpinned_action_fingerprint_ignores_the_version() -> None:
    v5 = file_findings(WF, UNPINNED.replace("@v6", "@v5"), "CI002")
    v6 = file_findings(WF, UNPINNED, "CI002")
    assert [f.snippet for f in v5] == [f.snippet for f in v6]


def test_unpinned_action_fingerprint_ignores_the_job() -> None:
    # Steps moved to a renamed job, or into a reusable workflow's job, run the same actions.
    renamed = file_findings(WF, UNPINNED.replace("  build:", "  build-wheels:"), "CI002")
    assert [f.snippet for f in renamed] == [f.snippet for f in file_findings(WF, UNPINNED, "CI002")]


# --- CI003 excessive-permissions -----------------------------------------------------------------------


def test_write_all_at_workflow_and_job_level_is_medium() -> None:
    text = """\
    on: push
    permissions: write-all
    jobs:
      a:
        runs-on: x
        permissions: write-all
    """
    assert found(text, "CI003") == [(2, None), (6, None)]


def test_missing_permissions_is_low_on_the_first_unrestricted_job() -> None:
    text = """\
    on: push
    jobs:
      a:
        runs-on: x
        permissions:
          contents: read
      b:
        runs-on: x
    """
    assert found(text, "CI003") == [(7, Severity.LOW)]


def test_permissions_on_every_job_or_at_top_are_clean() -> None:
    text = """\
    on: push
    jobs:
      a:
        runs-on: x
        permissions: read-all
      b:
        runs-on: x
        permissions: {}
    """
    assert lines(text, "CI003") == []
    assert lines(CLEAN, "CI003") == []


# --- CI004 continue-on-error-on-tests ------------------------------------------------------------------


def test_continue_on_error_on_a_test_step_or_test_job() -> None:
    text = """\
    on: push
    jobs:
      a:
        runs-on: x
        continue-on-error: true
        steps:
          - run: npm test
      b:
        runs-on: x
        steps:
          - run: go test ./...
            continue-on-error: "true"
          - run: ./scripts/deploy.sh
            continue-on-error: true
    """
    assert lines(text, "CI004") == [5, 12]


def test_continue_on_error_expression_or_non_test_step_is_clean() -> None:
    text = """\
    on: push
    jobs:
      a:
        runs-on: x
        continue-on-error: ${{ matrix.experimental }}
        steps:
          - run: pytest
          - run: codecov upload
            continue-on-error: true
    """
    assert lines(text, "CI004") == []


# --- CI005 pull-request-target-checkout ----------------------------------------------------------------

PRT = """\
on:
  pull_request_target:
    types: [opened]
jobs:
  test:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          ref: ${{ github.event.pull_request.head.sha }}
      - run: |
          gh pr checkout ${{ github.event.number }}
      - run: git fetch origin refs/pull/${{ github.event.number }}/head
      - run: npm test
"""


def test_pull_request_target_checkout_of_the_head_is_critical() -> None:
    findings = file_findings(WF, PRT, "CI005")
    assert [f.line for f in findings] == [11, 12, 14]


def test_workflow_run_checkout_of_the_triggering_head() -> None:
    text = """\
    on:
      workflow_run:
        workflows: [ci]
    jobs:
      report:
        runs-on: x
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ github.event.workflow_run.head_sha }}
    """
    assert lines(text, "CI005") == [10]


def test_head_checkout_under_plain_pull_request_or_base_checkout_is_clean() -> None:
    assert lines(PRT.replace("pull_request_target", "pull_request"), "CI005") == []
    base_only = """\
    on: pull_request_target
    jobs:
      label:
        runs-on: x
        steps:
          - uses: actions/checkout@v4
          - run: git checkout main
    """
    assert lines(base_only, "CI005") == []


# --- CI006 script-injection ----------------------------------------------------------------------------


def test_script_injection_points_at_the_interpolating_line() -> None:
    text = """\
    on: [issues, issue_comment, pull_request]
    jobs:
      a:
        runs-on: x
        steps:
          - run: echo "${{ github.event.issue.title }}"
          - run: |
              set -e
              echo "${{ github.head_ref }}" "${{ github.event.commits[0].message }}"
              echo "${{ github.event.pages.*.page_name }}"
          - uses: actions/github-script@v7
            with:
              script: |
                const body = `${{ github.event.comment.body }}`
    """
    assert lines(text, "CI006") == [6, 9, 10, 14]


def test_trusted_contexts_and_env_indirection_are_clean() -> None:
    text = """\
    on: pull_request
    jobs:
      a:
        runs-on: x
        steps:
          - run: echo "${{ github.event.pull_request.number }} ${{ github.sha }} ${{ github.ref }}"
          - env:
              BODY: ${{ github.event.pull_request.body }}
            run: echo "$BODY"
          - uses: some/action@v1
            with:
              script: ${{ github.event.issue.title }}
    """
    assert lines(text, "CI006") == []
    assert lines(CLEAN, "CI006") == []


# --- CI007 job-without-timeout -------------------------------------------------------------------------


def test_job_without_timeout_is_low_and_reusable_calls_are_excluded() -> None:
    text = """\
    on: push
    jobs:
      slow:
        runs-on: x
      fast:
        runs-on: x
        timeout-minutes: 5
      call:
        uses: ./.github/workflows/x.yml
      off:
        if: false
        runs-on: x
    """
    assert lines(text, "CI007") == [3]
    assert lines(CLEAN, "CI007") == []


# --- hostile input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "on: push\njobs: [1, 2]\n",
        "on: push\njobs:\n  a: 3\n  b:\n    steps: {x: 1}\n",
        "on: push\njobs:\n  a:\n    steps: [1, null, [2], {uses: 7, run: 8, with: 9}]\n",
        "a: &x [*x]\non: push\njobs: {}\n",
        "on: push\njobs:\n  ? [a, b]\n  : {steps: []}\n",
        "on: !custom push\njobs: {a: {steps: [{run: !!binary aGVsbG8=}]}}\n",
        "[" * 2000,
    ],
)
def test_hostile_workflows_never_crash(text: str) -> None:
    facts = analyse_text(WF, text)
    assert all(f.code != "QLT000" for f in facts.findings)
    assert set(facts.data["ci.workflow"]) == {"tests", "lint"}


# --- the command recogniser ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "tests", "lint"),
    [
        ("pytest -q", True, False),
        ("python -m pytest", True, False),
        ("poetry run python -m pytest tests", True, False),
        ("uv run --extra test pytest", True, False),
        # open-telemetry/opentelemetry-python 610c7e55b2 moved from `pip install tox-uv` to uvx.
        ("uvx --with tox-uv tox -e lint-opentelemetry-api", False, True),
        ("uvx ruff@0.6.1 check .", False, True),
        ("uv tool run --from pytest-runner pytest", True, False),
        ("pipx run tox -e lint", False, True),
        # cookiecutter/cookiecutter 730d2eb8dd: an expression with spaces inside one option.
        ("uv run --python=${{ matrix.python-version }} --isolated --group test -- pytest", True, False),
        # aio-libs/aiobotocore 92a8fe380a: an option that is there only when a variable is set.
        ("uv run ${HTTPX_EXTRA:+--extra=$HTTPX_EXTRA} pytest tests", True, False),
        ("uv run ${EXTRA:-pytest} tests", False, False),  # a default value is a command, not an option
        ("python -m unittest discover", True, False),
        ("tox", True, False),
        ("tox -e lint", False, True),
        ("nox -s tests-3.12 lint", True, True),
        ("tox -e py312 -- -k lint", True, False),
        ("make test", True, False),
        ("make -C docs html", False, False),
        ("npm test", True, False),
        ("npm run test:unit -- --ci", True, False),
        ("pnpm --filter web test", True, False),
        ("go test ./...", True, False),
        ("cargo test --workspace", True, False),
        ("./gradlew build", True, False),
        ("mvn -B package -DskipTests", False, False),
        ("bash ./scripts/run_tests.sh", True, False),
        ("python manage.py test", True, False),
        ("ruff check .", False, True),
        ("ruff format .", False, False),
        ("ruff format --check .", False, True),
        ("black .", False, False),
        ("black --check .", False, True),
        ("pre-commit run --all-files", False, True),
        ("npx eslint .", False, True),
        ("cargo fmt --all -- --check", False, True),
        ("make lint test", True, True),
        ("make ci", True, True),
        ("./scripts/ci.sh", True, True),
        ("npm run check", True, True),
        ("cargo check", False, False),
        ("pip install pytest ruff", False, False),
        ("npm ci", False, False),
        ("npm run ci", True, True),
        ("echo pytest", False, False),
        ("# pytest", False, False),
        ("test -f dist/app.whl", False, False),
        ("if [ -n \"$X\" ]; then pytest; fi", True, False),
        ("coverage run -m pytest \\\n  --cov=app", True, False),
        ("sfw uv run pre-commit run --all --show-diff-on-failure", False, True),  # saleor: Socket's firewall
        ("sudo -E xvfb-run -a pytest", True, False),
    ],
)
def test_command_recogniser(script: str, tests: bool, lint: bool) -> None:
    assert script_kinds(script) == (tests, lint)


def test_extractor_recognises_actions_and_skips_disabled_steps() -> None:
    text = """\
    on: push
    jobs:
      lint:
        runs-on: x
        steps:
          - uses: pre-commit/action@v3.0.1
          - run: pytest
            if: false
      e2e:
        runs-on: x
        steps:
          - uses: cypress-io/github-action@v6
    """
    assert analyse_text(WF, textwrap.dedent(text)).data["ci.workflow"] == {"tests": True, "lint": True}
    no_e2e = textwrap.dedent(text).split("  e2e:")[0]
    assert analyse_text(WF, no_e2e).data["ci.workflow"] == {"tests": False, "lint": True}


# --- metric ci-runs-checks -----------------------------------------------------------------------------

TEST_WF = """\
on: push
jobs:
  test:
    runs-on: x
    steps:
      - run: pip install -e .[test]
      - run: pytest
"""
LINT_WF = """\
on: push
jobs:
  lint:
    runs-on: x
    steps:
      - run: ruff check .
"""


def units(files: dict[str, str]) -> list[tuple[str, str, bool]]:
    """Return (path, label, good) of the ci-runs-checks units."""
    return [(u.path, u.label, u.good) for u in metric_units(files, "ci-runs-checks")]


def test_units_point_at_the_workflow_with_the_evidence() -> None:
    files = {"app/main.py": "x = 1\n", ".github/workflows/b-test.yml": TEST_WF, ".github/workflows/a-lint.yml": LINT_WF}
    assert units(files) == [
        (".github/workflows/b-test.yml", TESTS_LABEL, True),
        (".github/workflows/a-lint.yml", LINT_LABEL, True),
    ]


def test_code_without_any_workflow_scores_both_units_bad() -> None:
    assert units({"src/lib.rs": "fn main() {}\n"}) == [
        (WORKFLOWS_DIR, TESTS_LABEL, False),
        (WORKFLOWS_DIR, LINT_LABEL, False),
    ]


def test_nothing_to_judge_without_code_or_with_another_ci_service() -> None:
    assert units({"README.md": "# docs\n", ".github/workflows/ci.yml": LINT_WF}) == []
    assert units({"app.py": "x = 1\n", ".travis.yml": "script: pytest\n"}) == []
    assert units({".github/scripts/release.py": "x = 1\n"}) == []


def test_removing_the_test_step_is_an_attributable_regression() -> None:
    base_files = {"app.py": "x = 1\n", WF: TEST_WF}
    head_files = {"app.py": "x = 1\n", WF: TEST_WF.replace("      - run: pytest\n", "")}
    base = metric_states(compute(repo_view(base_files)).units, Domain.CI)[0]
    head = metric_states(compute(repo_view(head_files)).units, Domain.CI)[0]
    assert [(u.label, u.good) for u in base.units] == [(TESTS_LABEL, True), (LINT_LABEL, False)]
    assert [(u.label, u.good) for u in head.units] == [(TESTS_LABEL, False), (LINT_LABEL, False)]
    change = attribute(base, head, lambda path: path, frozenset({WF}))
    assert [u.label for u in change.newly_bad] == [TESTS_LABEL]
    assert change.attributable_points < 0


def test_legacy_missing_linter_is_not_attributable() -> None:
    files = {"app.py": "x = 1\n", WF: TEST_WF}
    state = metric_states(compute(repo_view(files)).units, Domain.CI)[0]
    edited = {**files, "app.py": "x = 2\n"}
    change = attribute(state, metric_states(compute(repo_view(edited)).units, Domain.CI)[0], lambda path: path, frozenset({"app.py"}))
    assert change.newly_bad == ()


# --- files GitHub does not run -------------------------------------------------------------------------


def test_files_in_workflow_subfolders_are_not_workflows() -> None:
    path = ".github/workflows/config/labels.yml"
    assert lines("bug:\n  color: red\n", "CI001", path) == []
    assert lines(UNPINNED, "CI002", path) == []
    assert analyse_text(path, TEST_WF).data["ci.workflow"] == {"tests": False, "lint": False}


def test_reusable_workflow_without_permissions_is_not_flagged() -> None:
    text = """\
    on: workflow_call
    jobs:
      a:
        runs-on: x
    """
    assert lines(text, "CI003") == []
    assert lines(text.replace("workflow_call", "[push, workflow_call]"), "CI003") == [3]


def test_same_repository_guard_is_not_a_pwn_request() -> None:
    guarded = PRT.replace("    runs-on: x\n", "    runs-on: x\n    if: github.event.pull_request.head.repo.full_name == github.repository\n")
    assert lines(guarded, "CI005") == []
    base_guard = guarded.replace("github.repository", "github.event.pull_request.base.repo.full_name")
    assert lines(base_guard, "CI005") == []
    step_guard = PRT.replace("      - run: git fetch", "      - if: ${{ !github.event.pull_request.head.repo.fork }}\n        run: git fetch")
    assert lines(step_guard, "CI005") == [11, 12]


# --- CI capabilities (ci-runs-checks, ci-runs-safeguards, ci-exists) -------------------------------


def capability_units(files: dict[str, str]) -> dict[str, bool]:
    """Return label -> good of every CI capability unit over in-memory files."""
    found: dict[str, bool] = {}
    for name in ("ci-runs-checks", "ci-runs-safeguards", "ci-exists"):
        found.update((u.label, u.good) for u in metric_units({"app.py": "x = 1\n", **files}, name))
    return found


def on_pr(steps: str, extra: str = "") -> str:
    """Return a workflow running these steps on pull requests."""
    return f"on: pull_request\n{extra}jobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


def test_no_ci_at_all_is_one_more_bad_unit() -> None:
    assert capability_units({})["CI runs on pull requests"] is False
    assert "CI runs on pull requests" not in capability_units({".github/workflows/ci.yml": on_pr("      - run: pytest\n")})


def test_a_workflow_run_only_on_pushes_to_main_does_not_run_for_pull_requests() -> None:
    workflow = "on:\n  push:\n    branches: [main]\njobs:\n  ci:\n    runs-on: x\n    steps:\n      - run: pytest\n"
    units = capability_units({".github/workflows/ci.yml": workflow})
    assert units["CI runs the tests"] is False and units["CI runs on pull requests"] is False
    every_branch = workflow.replace("    branches: [main]\n", "    branches-ignore: [gh-pages]\n")
    assert capability_units({".github/workflows/ci.yml": every_branch})["CI runs the tests"] is True


def test_gitlab_allow_failure_is_advisory() -> None:
    pipeline = "tests:\n  script:\n    - pytest\nsecrets:\n  allow_failure: true\n  script: gitleaks detect\n"
    units = capability_units({".gitlab-ci.yml": pipeline})
    assert units["CI runs the tests"] is True and units["CI runs secret scan"] is False
    included = pipeline + "include:\n  - template: Security/SAST.gitlab-ci.yml\n"
    assert capability_units({".gitlab-ci.yml": included})["CI runs SAST (bandit, semgrep, CodeQL)"] is True


def test_nox_hatch_npm_and_shell_scripts_are_followed() -> None:
    noxfile = "import nox\n\n@nox.session(name='types')\ndef typing(session):\n    session.run('mypy', 'src')\n"
    pyproject = '[tool.hatch.envs.sec.scripts]\nscan = "bandit -r src"\n'
    package = '{"scripts": {"audit:deps": "npm audit --audit-level=high"}}'
    script = "#!/usr/bin/env bash\nset -e\ntrivy fs .\n"
    steps = ("      - run: nox -s types\n      - run: hatch run sec:scan\n      - run: npm run audit:deps\n"
             "      - run: ./scripts/scan\n")
    units = capability_units({".github/workflows/ci.yml": on_pr(steps), "noxfile.py": noxfile,
                              "pyproject.toml": pyproject, "package.json": package, "scripts/scan": script,
                              "Dockerfile": "FROM python:3.12\n"})
    assert units["CI runs a type check"] and units["CI runs SAST (bandit, semgrep, CodeQL)"]
    assert units["CI runs dependency audit"] and units["CI runs container/IaC scan"]


def test_a_nox_session_calling_another_noxfile_function_runs_its_commands() -> None:
    # urllib3/urllib3 eabc20ff0c: CI runs `nox -s lint`, whose session calls `mypy(session)`.
    noxfile = ("import nox\n\n\ndef run_mypy(session):\n    session.run('mypy', 'src')\n\n\n"
               "@nox.session\ndef lint(session):\n    session.run('pre-commit', 'run')\n    run_mypy(session)\n\n\n"
               "@nox.session\ndef loop(session):\n    loop(session)\n")
    units = capability_units({".github/workflows/ci.yml": on_pr("      - run: uvx nox -s lint\n"), "noxfile.py": noxfile})
    assert units["CI runs a type check"] is True
    alone = noxfile.replace("    run_mypy(session)\n", "")
    units = capability_units({".github/workflows/ci.yml": on_pr("      - run: uvx nox -s lint\n"), "noxfile.py": alone})
    assert units["CI runs a type check"] is False

def test_pre_commit_ci_and_local_reusable_workflows_count() -> None:
    config = "ci:\n  skip: [mypy]\nrepos:\n  - repo: x\n    rev: v1\n    hooks:\n      - id: detect-secrets\n      - id: mypy\n"
    units = capability_units({".pre-commit-config.yaml": config})
    assert units["CI runs secret scan"] is True and units["CI runs a type check"] is False
    assert "CI runs on pull requests" not in units
    called = "on: workflow_call\njobs:\n  scan:\n    runs-on: x\n    steps:\n      - run: semgrep ci\n"
    caller = "on: pull_request\njobs:\n  scan:\n    uses: ./.github/workflows/scan.yml\n"
    units = capability_units({".github/workflows/ci.yml": caller, ".github/workflows/scan.yml": called})
    assert units["CI runs SAST (bandit, semgrep, CodeQL)"] is True


def test_bandit_is_sast_not_lint() -> None:
    units = capability_units({".github/workflows/ci.yml": on_pr("      - run: bandit -r .\n")})
    assert units["CI runs SAST (bandit, semgrep, CodeQL)"] is True and units["CI runs a linter"] is False


def test_a_script_resolved_once_is_handed_out_as_a_copy() -> None:
    from app.checks.ci.pipelines import Resolver

    resolver = Resolver(repo_view({"app.py": "x = 1\n"}))
    first = resolver.script("pytest -q && ruff check .", "", 0)
    assert first == {"tests": True, "lint": True}
    first["tests"] = False
    first["secret-scan"] = True
    assert resolver.script("pytest -q && ruff check .", "", 0) == {"tests": True, "lint": True}


def test_a_generated_tox_ini_called_by_many_jobs_is_judged_env_by_env() -> None:
    # getsentry/sentry-python: a generated tox.ini of hundreds of environments, run by dozens of jobs.
    envs = "".join(f"[testenv:py3.{n % 9}-lib{n}]\ncommands = pytest {{posargs}} tests/lib{n}\n\n" for n in range(200))
    tox = f"[tox]\nenvlist = py3\n\n[testenv]\ncommands = python -m pytest\n\n{envs}[testenv:lint]\ncommands = - ruff check .\n"
    jobs = "".join(f"  t{n}:\n    runs-on: x\n    steps:\n      - run: tox -e py3.{n % 9}-lib{n}\n" for n in range(40))
    workflow = f"on: pull_request\njobs:\n{jobs}  lint:\n    runs-on: x\n    steps:\n      - run: tox -e lint\n"
    assert units({"app/main.py": "x = 1\n", "tox.ini": tox, ".github/workflows/ci.yml": workflow}) == [
        (".github/workflows/ci.yml", TESTS_LABEL, True),
        (".github/workflows/ci.yml", LINT_LABEL, False),  # the lint env may fail: it enforces nothing
    ]
