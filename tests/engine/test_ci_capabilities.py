"""CI capabilities on real git repositories: what a PR takes away from CI, and what it only moves."""

from __future__ import annotations

from app.checks.ci.commands import parse_command, task_targets
from app.checks.ci.shell import walk
from app.engine.model import Domain
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit

CODE = {
    "shop/__init__.py": "",
    "shop/prices.py": '"""Prices."""\n\n\ndef add_tax(amount: float) -> float:\n    """Add tax."""\n    return amount * 1.2\n',
    "tests/test_prices.py": "from shop.prices import add_tax\n\n\ndef test_add_tax() -> None:\n"
                            "    assert add_tax(10.0) == 12.0\n",
}
HEADER = """name: {name}
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  {job}:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@0ad4b8fadaa221de15dcec353f45205ec38ea70b
"""
TEST_STEPS = "      - run: pip install -e . pytest ruff\n      - run: ruff check .\n      - run: pytest -q\n"
SCAN_STEPS = "      - run: pip install bandit pip-audit\n      - run: bandit -r shop\n      - run: pip-audit\n"


def workflow(name: str, steps: str) -> str:
    """Return a pinned workflow running on pull requests with these steps."""
    return HEADER.format(name=name, job=name.lower()) + steps


def ci_result(repo: RepoBuilder, base_files: dict[str, str], head_change: dict[str, str | None]) -> tuple[bool, str]:
    """Commit base, then head (None deletes a file); return whether ci regressed and its reasons."""
    base = repo.commit("base", {**CODE, **base_files})
    repo.delete(*[p for p, text in head_change.items() if text is None])
    head = repo.commit("head", {p: t for p, t in head_change.items() if t is not None})
    result = domain(run_audit(repo, base, head), Domain.CI)
    return result.regressed, " ".join(result.reasons)


BOTH = {
    ".github/workflows/tests.yml": workflow("Tests", TEST_STEPS),
    ".github/workflows/security.yml": workflow("Security", SCAN_STEPS),
}


def test_deleting_the_security_workflow_regresses_ci_while_tests_still_run(repo: RepoBuilder) -> None:
    regressed, reasons = ci_result(repo, BOTH, {".github/workflows/security.yml": None})
    assert regressed
    assert "CI runs SAST (bandit, semgrep, CodeQL)" in reasons and "CI runs dependency audit" in reasons
    assert "/audit accept ci REASON" in reasons


def test_moving_the_security_steps_into_another_workflow_is_no_loss(repo: RepoBuilder) -> None:
    moved = {
        ".github/workflows/security.yml": None,
        ".github/workflows/tests.yml": workflow("Tests", TEST_STEPS + SCAN_STEPS),
    }
    assert ci_result(repo, BOTH, moved) == (False, "")


def test_moving_the_security_steps_to_gitlab_ci_is_no_loss(repo: RepoBuilder) -> None:
    moved = {
        ".github/workflows/security.yml": None,
        ".gitlab-ci.yml": "security:\n  script:\n    - pip install bandit pip-audit\n    - bandit -r shop\n"
                          "    - pip-audit\n",
    }
    assert ci_result(repo, BOTH, moved) == (False, "")


def test_or_true_on_the_test_step_regresses_ci(repo: RepoBuilder) -> None:
    head = TEST_STEPS.replace("pytest -q", "pytest -q || true")
    regressed, reasons = ci_result(repo, BOTH, {".github/workflows/tests.yml": workflow("Tests", head)})
    assert regressed and "CI runs the tests" in reasons


def test_or_exit_1_on_the_test_step_stays_enforcing(repo: RepoBuilder) -> None:
    head = TEST_STEPS.replace("pytest -q", "pytest -q || exit 1")
    assert ci_result(repo, BOTH, {".github/workflows/tests.yml": workflow("Tests", head)}) == (False, "")


def test_continue_on_error_on_a_scan_regresses_ci(repo: RepoBuilder) -> None:
    head = SCAN_STEPS.replace("      - run: bandit -r shop\n", "      - run: bandit -r shop\n        continue-on-error: true\n")
    regressed, reasons = ci_result(repo, BOTH, {".github/workflows/security.yml": workflow("Security", head)})
    assert regressed and "CI runs SAST" in reasons


def test_piping_tests_without_pipefail_regresses_but_an_explicit_bash_shell_does_not(repo: RepoBuilder) -> None:
    piped = TEST_STEPS.replace("pytest -q", "pytest -q | tail -n 20")
    regressed, reasons = ci_result(repo, BOTH, {".github/workflows/tests.yml": workflow("Tests", piped)})
    assert regressed and "CI runs the tests" in reasons
    with_bash = piped.replace("      - run: pytest -q | tail -n 20\n",
                              "      - run: pytest -q | tail -n 20\n        shell: bash\n")
    head = repo.commit("bash", {".github/workflows/tests.yml": workflow("Tests", with_bash)})
    assert not domain(run_audit(repo, head + "~2", head), Domain.CI).regressed


def test_a_workflow_that_did_not_parse_at_base_gives_nothing_to_lose(repo: RepoBuilder) -> None:
    broken = {**BOTH, ".github/workflows/security.yml": workflow("Security", SCAN_STEPS) + "  bad: [\n"}
    assert ci_result(repo, broken, {".github/workflows/security.yml": None}) == (False, "")


def test_removing_a_scan_from_the_makefile_target_the_workflow_calls_regresses(repo: RepoBuilder) -> None:
    makefile = "PY = python\n\n.PHONY: security\nsecurity: audit\n\t$(PY) -m bandit -r shop\n\naudit:\n\tpip-audit\n"
    base = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS + "      - run: make security\n"),
            "Makefile": makefile}
    regressed, reasons = ci_result(repo, base, {"Makefile": makefile.replace("\t$(PY) -m bandit -r shop\n", "")})
    assert regressed and "CI runs SAST" in reasons and "dependency audit" not in reasons


def test_a_bare_make_runs_the_default_goal_and_losing_its_scan_regresses(repo: RepoBuilder) -> None:
    # psf/requests' workflow runs `make` with no argument: every audit of it once crashed here.
    makefile = "init:\n\tpip install -r requirements.txt\n\tpip-audit\n\ntest:\n\tpytest\n"
    base = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS + "      - run: make\n"), "Makefile": makefile}
    regressed, reasons = ci_result(repo, base, {"Makefile": makefile.replace("\tpip-audit\n", "")})
    assert regressed and "dependency audit" in reasons


def test_tox_env_and_docker_compose_commands_are_followed(repo: RepoBuilder) -> None:
    tox = "[tox]\nenvlist = py312\n\n[testenv]\ncommands = pytest\n\n[testenv:secrets]\ncommands = gitleaks detect\n"
    steps = "      - run: docker compose exec -T app tox -e secrets\n      - run: docker compose run --rm app pytest\n"
    base = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS.replace("      - run: pytest -q\n", "") + steps),
            "tox.ini": tox}
    regressed, reasons = ci_result(repo, base, {"tox.ini": tox.replace("gitleaks detect", "- gitleaks detect")})
    assert regressed and "CI runs secret scan" in reasons


TOX_INI = "[tox]\nenvlist = py312, static\n\n[testenv]\ncommands = pytest\n\n[testenv:static]\ncommands =\n    mypy shop\n"
TOX_TOML = ('env_list = ["py312", "static"]\n\n[env_run_base]\ncommands = [["pytest", {replace = "posargs", '
            'default = [], extend = true}]]\n\n[env.static]\ncommands = [["mypy", "shop"]]\n')
TOX_STEPS = "      - run: pip install tox\n      - run: uv run --locked tox run -e static\n"


def test_moving_tox_ini_to_native_toml_in_pyproject_keeps_its_type_check(repo: RepoBuilder) -> None:
    # pallets/flask moved tox.ini to [tool.tox] (tox >= 4.21): its typing env's mypy was read as lost.
    base = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS + TOX_STEPS), "tox.ini": TOX_INI}
    pyproject = '[project]\nname = "shop"\n\n' + TOX_TOML.replace("[env", "[tool.tox.env").replace(
        "env_list", "[tool.tox]\nenv_list")
    assert ci_result(repo, base, {"tox.ini": None, "pyproject.toml": pyproject}) == (False, "")


def test_a_type_check_removed_from_tox_toml_regresses(repo: RepoBuilder) -> None:
    base = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS + TOX_STEPS), "tox.toml": TOX_TOML}
    regressed, reasons = ci_result(repo, base, {"tox.toml": TOX_TOML.replace('["mypy", "shop"]', '["echo", "ok"]')})
    assert regressed and "CI runs a type check" in reasons


def test_a_tox_env_out_of_sight_is_judged_by_its_name(repo: RepoBuilder) -> None:
    steps = "      - run: tox -e typing\n"
    base = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS + steps)}
    regressed, reasons = ci_result(repo, base, {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS)})
    assert regressed and "CI runs a type check" in reasons


def test_a_pre_commit_hook_removed_from_the_config_ci_runs_regresses(repo: RepoBuilder) -> None:
    config = ("repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.18.0\n    hooks:\n"
              "      - id: gitleaks\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.0\n"
              "    hooks:\n      - id: ruff\n")
    base = {".github/workflows/tests.yml": workflow("Tests", "      - run: pytest -q\n"
                                                             "      - uses: pre-commit/action@v3.0.1\n"),
            ".pre-commit-config.yaml": config}
    head = config.replace("  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.18.0\n    hooks:\n"
                          "      - id: gitleaks\n", "")
    regressed, reasons = ci_result(repo, base, {".pre-commit-config.yaml": head})
    assert regressed and "CI runs secret scan" in reasons and "linter" not in reasons


def test_replacing_pre_commit_action_with_prek_action_keeps_the_hooks(repo: RepoBuilder) -> None:
    # encode/django-rest-framework swapped pre-commit/action for j178/prek-action (same config, same hooks).
    config = ("repos:\n  - repo: https://github.com/pycqa/flake8\n    rev: 7.1.0\n    hooks:\n      - id: flake8\n")
    lint = "      - uses: pre-commit/action@2c7b3805fd2a0fd8c1884dcaebf91fc102a13ecd\n"
    base = {".github/workflows/lint.yml": workflow("Lint", lint), ".pre-commit-config.yaml": config,
            ".github/workflows/tests.yml": workflow("Tests", "      - run: pytest -q\n")}
    prek = "      - uses: j178/prek-action@0bb87d7f00b0c99306c8bcb8b8beba1eb581c037\n"
    assert ci_result(repo, base, {".github/workflows/lint.yml": workflow("Lint", prek)}) == (False, "")


def test_no_ci_scores_below_ci_with_findings(repo: RepoBuilder) -> None:
    unpinned = "".join(
        f"      - uses: some/action{i}@main\n" for i in range(30)
    )
    files = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS + unpinned)}
    with_ci = repo.commit("ci with findings", {**CODE, **files})
    repo.delete(".github/workflows/tests.yml")
    no_ci = repo.commit("no ci")
    report = run_audit(repo, with_ci, no_ci)
    ci = domain(report, Domain.CI)
    assert ci.base is not None and ci.head is not None
    assert ci.head < ci.base
    assert ci.regressed


def test_shell_walk_marks_advisory_commands() -> None:
    def advisory(script: str, pipefail: bool = False) -> list[tuple[str, bool]]:
        return [(s.command.program, s.advisory) for s in walk(script, pipefail=pipefail)]

    assert advisory("pytest || true") == [("pytest", True)]
    assert advisory("pytest || echo failed") == [("pytest", True)]
    assert advisory("pytest; exit 0") == [("pytest", True)]
    assert advisory("set +e\npytest\nset -e\nruff check .") == [("pytest", True), ("ruff", False)]
    assert advisory("pytest | tee log") == [("pytest", True), ("tee", False)]
    assert advisory("pytest | tee log", pipefail=True) == [("pytest", False), ("tee", False)]
    assert advisory("set -euo pipefail\npytest | tee log") == [("pytest", False), ("tee", False)]
    assert advisory("pytest || (echo failed; exit 1)")[0] == ("pytest", False)


def test_findings_inside_the_deleted_workflow_do_not_turn_the_loss_into_an_improvement(repo: RepoBuilder) -> None:
    unpinned = "".join(f"      - uses: some/scanner{i}@main\n" for i in range(8))
    base = repo.commit("base", {**CODE, **BOTH, ".github/workflows/security.yml": workflow("Security", unpinned + SCAN_STEPS)})
    repo.delete(".github/workflows/security.yml")
    ci = domain(run_audit(repo, base, repo.commit("head")), Domain.CI)
    assert ci.regressed and "CI runs SAST" in " ".join(ci.reasons)
    assert ci.base is not None and ci.head is not None and ci.head < ci.base
    assert round(sum(step.points for step in ci.explanation), 1) == round(ci.head - ci.base, 1)


def test_moving_the_scan_steps_into_a_local_composite_action_is_no_loss(repo: RepoBuilder) -> None:
    action = ("name: scan\nruns:\n  using: composite\n  steps:\n    - run: bandit -r shop\n      shell: bash\n"
              "    - run: pip-audit\n      shell: bash\n")
    moved = {
        ".github/workflows/security.yml": workflow("Security", "      - uses: ./.github/actions/scan\n"),
        ".github/actions/scan/action.yml": action,
    }
    assert ci_result(repo, BOTH, moved) == (False, "")



def test_a_package_manager_runs_one_script_the_words_after_it_are_its_arguments() -> None:
    # getredash/redash 24b70fed9e: `yarn cypress build` runs the `cypress` script with `build`; it
    # became `pnpm run cypress build`, so a build read from the argument was "lost".
    def targets(line: str) -> list[str]:
        command = parse_command(line)
        assert command is not None
        return task_targets(command)

    assert targets("yarn cypress build") == ["cypress"]  # as `pnpm run cypress build` runs `cypress`
    assert targets("yarn workspace web build") == ["build"]
    assert targets("pnpm --filter @redash/viz test") == ["test"]
    assert targets("make -C docs html linkcheck") == ["html", "linkcheck"]


MATRIX_JOB = """name: CI
on:
  pull_request:
jobs:
  check:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.12", "3.13"]
        task: [check]
        include:
          - python: "3.13"
            task: typing
    steps:
      - uses: actions/checkout@0ad4b8fadaa221de15dcec353f45205ec38ea70b
      - run: uv run --python ${{ matrix.python }} poe ${{ matrix.task }}
"""
POE = '[project]\nname = "shop"\n\n[tool.poe.tasks]\ntest = "pytest"\ncheck = ["test"]\ntyping = "mypy shop"\n'


def test_a_task_a_workflow_takes_from_its_matrix_is_followed(repo: RepoBuilder) -> None:
    # jd/tenacity ff183099df moved from tox to `poe ${{ matrix.task }}`, the tasks listed by the job's matrix.
    base = {".github/workflows/tests.yml": workflow("Tests", TEST_STEPS)}
    assert ci_result(repo, base, {".github/workflows/tests.yml": MATRIX_JOB, "pyproject.toml": POE}) == (False, "")
    # A task the matrix no longer lists no longer runs.
    no_typing = MATRIX_JOB.replace("          - python: \"3.13\"\n            task: typing\n", "").replace(
        "        include:\n", "")
    regressed, reasons = ci_result(repo, {".github/workflows/tests.yml": MATRIX_JOB, "pyproject.toml": POE},
                                   {".github/workflows/tests.yml": no_typing})
    assert regressed and "CI runs a type check" in reasons, reasons


def test_replacing_bandit_with_ruffs_bandit_rules_keeps_sast(repo: RepoBuilder) -> None:
    # CTFd/CTFd 596ba7cdbf: `bandit -r CTFd` left the Makefile's lint target; pyproject's ruff selects "S".
    steps = "      - run: pip install -e . pytest ruff bandit\n      - run: make lint\n      - run: pytest -q\n"
    base = {".github/workflows/tests.yml": workflow("Tests", steps),
            "Makefile": "lint:\n\truff check shop\n\tbandit -r shop\n"}
    ruff_s = '[project]\nname = "shop"\n\n[tool.ruff.lint]\nselect = ["E", "F", "S"]\n'
    head = {"Makefile": "lint:\n\truff check shop\n", "pyproject.toml": ruff_s}
    assert ci_result(repo, base, head) == (False, "")
    # ruff without its bandit rules is a linter, not SAST.
    regressed, reasons = ci_result(repo, base, {"Makefile": "lint:\n\truff check --select E,F shop\n"})
    assert regressed and "CI runs SAST" in reasons
    # Selecting them on the command line, or in ruff.toml, counts too.
    cli = {"Makefile": "lint:\n\truff check --extend-select S shop\n"}
    assert ci_result(repo, base, cli) == (False, "")
    toml = {"Makefile": "lint:\n\truff check shop\n", "ruff.toml": '[lint]\nextend-select = ["S6"]\n'}
    assert ci_result(repo, base, toml) == (False, "")
