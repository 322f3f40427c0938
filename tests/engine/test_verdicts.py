"""One verdict per domain from the PR's own effect; ratio metrics judged like patch coverage; points agree."""

from __future__ import annotations

from app.engine.cache import MemoryFactsCache
from app.engine.model import Domain
from app.engine.pipeline import audit_commits
from app.engine.report import ACCEPTED, IMPROVED, REGRESSED, UNCHANGED, WORSE, DomainResult, Effect
from app.gitrepo.repo import GitRepo
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit
from tests.report_schema import assert_valid_report


def documented(name: str, count: int, with_doc: int) -> str:
    """Return a module of `count` public functions, the first `with_doc` of them documented."""
    body = [f'"""Module {name}."""\n']
    for i in range(count):
        doc = f'    """Return {i}."""\n' if i < with_doc else ""
        body.append(f"\n\ndef {name}_{i}() -> int:\n{doc}    return {i}\n")
    return "".join(body)


BASE = {
    "README.md": "# app\n\n## Install\n\npip install .\n\n## Usage\n\napp run\n",
    "app/__init__.py": '"""App."""\n',
    # 8 of 10 public functions documented: the repository's standard is 80%.
    "app/core.py": documented("core", 10, 8),
    "tests/test_core.py": "from app.core import core_0\n\n\ndef test_core() -> None:\n    assert core_0() == 0\n",
}


def test_code_added_at_the_repository_standard_never_blocks_docs(repo: RepoBuilder) -> None:
    base = repo.commit("base", BASE)
    head = repo.commit("add", {"app/extra.py": documented("extra", 5, 4),
                               "tests/test_extra.py": "from app.extra import extra_0\n\n\ndef test_x() -> None:\n"
                                                      "    assert extra_0() == 0\n"})
    docs = domain(run_audit(repo, base, head), Domain.DOCS)
    assert not docs.regressed and docs.verdict == WORSE  # one undocumented function is the PR's own, below gate
    assert "1 public definitions" not in docs.why and "has no docstring" in docs.why


def test_stripping_a_docstring_from_an_existing_function_blocks_with_its_reason(repo: RepoBuilder) -> None:
    base = repo.commit("base", BASE)
    stripped = BASE["app/core.py"].replace('    """Return 0."""\n', "")
    head = repo.commit("strip", {"app/core.py": stripped, "app/extra.py": documented("extra", 20, 20),
                                 "tests/test_extra.py": "import app.extra\n\n\ndef test_x() -> None:\n"
                                                        "    assert app.extra.extra_0() == 0\n"})
    report = run_audit(repo, base, head)
    docs = domain(report, Domain.DOCS)
    assert docs.verdict == REGRESSED and docs.blocking
    assert docs.delta is not None and docs.delta > 0  # the score rose with 20 documented functions, yet it regressed
    (reason,) = docs.structured
    assert reason.kind == "metric" and reason.data["metric"] == "docstring-coverage"
    assert reason.data["patch_ratio"] == 95.2 and reason.data["base_ratio"] == 80.0  # above: the loss decides
    assert [u["text"] for u in reason.data["units"]] == ["`core_0` in `app/core.py` has no docstring"]
    # Points mean one thing: the figure of the gate's reason is the explanation's and the table's.
    points = reason.data["points"]
    assert docs.why == f"`core_0` in `app/core.py` has no docstring ({points:+.1f} points)"
    assert points < 0 and f"({points:+.1f} points)" in report.reasons[0]
    assert f"{points:+.1f} docstring coverage: `core_0` in `app/core.py` has no docstring" in [
        e.render() for e in docs.explanation]
    assert "::" not in " ".join(report.reasons)


def test_adding_an_untested_module_to_a_tested_repository_blocks_in_plain_words(repo: RepoBuilder) -> None:
    base = repo.commit("base", BASE)
    head = repo.commit("add", {"app/auth.py": documented("auth", 3, 3)})
    tests = domain(run_audit(repo, base, head), Domain.TESTS)
    assert tests.verdict == REGRESSED
    assert tests.why.startswith("`app/auth.py` has no test (-")
    assert tests.structured[0].data["units"] == [
        {"path": "app/auth.py", "label": "tested", "text": "`app/auth.py` has no test"}]


def test_a_domain_regresses_on_a_new_finding_while_its_score_rises(repo: RepoBuilder) -> None:
    shell = "import subprocess\n\n\ndef run{n}(cmd: str) -> int:\n    \"\"\"Run.\"\"\"\n    return subprocess.call(cmd, shell=True)\n"
    base = repo.commit("base", {**BASE, "app/legacy.py": "".join(shell.format(n=i) for i in range(4))})
    repo.delete("app/legacy.py")
    head = repo.commit("swap", {"app/settings.py": 'API_TOKEN = "ghp_' + "a1B2c3D4e5F6g7H8i9J0" * 2 + '"\n'})
    security = domain(run_audit(repo, base, head), Domain.SECURITY)
    assert security.delta is not None and security.delta > 0
    assert security.verdict == REGRESSED and security.structured
    assert security.why.startswith("1 new critical") or security.why.startswith("1 new high")


def test_non_blocking_findings_make_a_domain_worse_and_fixes_improve_it(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**BASE, "app/tidy.py": '"""Tidy."""\n\nimport os\n\n\ndef tidy() -> int:\n'
                                                      '    """Return 1."""\n    return 1\n'})
    head = repo.commit("edit", {"app/tidy.py": '"""Tidy."""\n\n\ndef tidy() -> int:\n    """Return 1."""\n'
                                               '    return 1\n',
                                "app/noisy.py": '"""Noisy."""\n\n\ndef noisy() -> None:\n    """Print."""\n'
                                                '    print("x")\n'})
    report = run_audit(repo, base, head)
    quality = domain(report, Domain.QUALITY)
    assert quality.fixed_findings == 1 and quality.verdict in (IMPROVED, UNCHANGED, WORSE)
    assert quality.verdict == IMPROVED or quality.new_findings
    for result in report.domains:
        if result.verdict == IMPROVED:
            assert result.fixed_findings or result.effect.gained
        if result.verdict == UNCHANGED:
            assert result.new_findings == result.fixed_findings == 0 or result.effect.own_points == 0


def test_json_names_the_verdict_reasons_acceptance_and_added_lines(repo: RepoBuilder) -> None:
    base = repo.commit("base", BASE)
    head = repo.commit("add", {"app/run.py": '"""Run."""\n\nimport subprocess\n\n\ndef run(c: str) -> int:\n'
                                             '    """Run."""\n    return subprocess.call(c, shell=True)\n'})
    accepted = audit_commits(GitRepo(repo.root), base, head, MemoryFactsCache(),
                             acceptances={Domain.SECURITY: ("@wendy: a trusted admin script", "a trusted admin script")})
    data = accepted.to_json()
    assert_valid_report(data)
    assert isinstance(data["verity_version"], str) and data["verity_version"]
    security = next(d for d in data["domains"] if d["domain"] == "security")
    assert security["verdict"] == ACCEPTED and not security["blocking"]
    assert security["accepted"] == {"by": "wendy", "reason": "a trusted admin script"}
    assert security["reasons"][0] | {"locations": None} == {
        "kind": "finding", "rule": "S602", "name": "subprocess-popen-with-shell-equals-true", "severity": "high",
        "count": 1, "path": "app/run.py", "line": 8, "locations": None,
        "summary": "1 new high (subprocess-popen-with-shell-equals-true)"}
    finding = next(f for f in data["findings"] if f["rule"] == "S602")
    assert finding["on_added_line"] is True
    assert all(d["accepted"] is None for d in data["domains"] if d["domain"] != "security")


def test_testing_an_untested_module_improves_the_domain_in_plain_words(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**BASE, "app/auth.py": documented("auth", 3, 3)})
    head = repo.commit("test", {"tests/test_auth.py": "from app.auth import auth_0\n\n\ndef test_auth() -> None:\n"
                                                      "    assert auth_0() == 0\n"})
    tests = domain(run_audit(repo, base, head), Domain.TESTS)
    assert tests.verdict == IMPROVED and tests.why == "`app/auth.py` now has a test"
    assert any(e.key == "gained:test-coverage-of-modules" and e.points > 0 for e in tests.explanation)


def test_a_few_units_below_the_standard_of_a_large_repository_are_noise_not_a_regression(
    repo: RepoBuilder,
) -> None:
    base = repo.commit("base", {**BASE, "app/core.py": documented("core", 200, 160)})  # 80%
    near = repo.commit("near", {"app/more.py": documented("more", 10, 7)})  # 70%: one unit short
    docs = domain(run_audit(repo, base, near), Domain.DOCS)
    assert not docs.regressed and docs.verdict == WORSE
    far = repo.commit("far", {"app/bare.py": documented("bare", 30, 0)})
    docs = domain(run_audit(repo, near, far), Domain.DOCS)
    assert docs.verdict == REGRESSED
    assert docs.structured[0].data["shortfall_points"] > 0.5 and docs.structured[0].data["patch_ratio"] == 0.0


def test_when_points_round_to_nothing_severity_weights_decide_a_mixed_change() -> None:
    def result(net: int) -> DomainResult:
        effect = Effect(new_by_severity=(("low", 2),), fixed=3, own_points=0.0, net_weight=net)
        return DomainResult(Domain.QUALITY, 90.0, 90.0, False, False, 2, 3, effect=effect)

    assert result(1).verdict == IMPROVED and result(-1).verdict == WORSE and result(0).verdict == UNCHANGED
