"""The gate judges attributable regression, never density: scenario tests on real git repos."""

from __future__ import annotations

from app.engine.model import Domain
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import blocking, domain, run_audit

LEGACY = '''"""Legacy helpers with known problems."""

import os
import subprocess


def run(cmd: str) -> int:
    """Run a shell command."""
    return subprocess.call(cmd, shell=True)


def unused(x: int) -> int:
    """Return x."""
    y = 1
    return x
'''

CLEAN = '''"""Price arithmetic."""


def add_tax(amount: float, rate: float) -> float:
    """Return the amount with tax added."""
    return amount * (1 + rate)
'''

CLEAN_TEST = '''from shop.prices import add_tax


def test_add_tax() -> None:
    assert add_tax(100.0, 0.2) == 120.0
'''

BASE_FILES = {
    "README.md": "# shop\n\n## Install\n\npip install .\n\n## Usage\n\nshop run\n",
    "shop/__init__.py": '"""Shop."""\n',
    "shop/legacy.py": LEGACY,
    "tests/test_legacy.py": "from shop.legacy import unused\n\n\ndef test_unused() -> None:\n    assert unused(2) == 2\n",
}


def _base(repo: RepoBuilder) -> str:
    """Commit the shared base and return its SHA."""
    return repo.commit("base", BASE_FILES)


def test_adding_clean_code_is_never_blocked(repo: RepoBuilder) -> None:
    base = _base(repo)
    head = repo.commit("add", {"shop/prices.py": CLEAN, "tests/test_prices.py": CLEAN_TEST})
    report = run_audit(repo, base, head)
    assert report.passed, report.reasons
    assert report.new_findings() == []


def test_deleting_clean_code_is_never_blocked(repo: RepoBuilder) -> None:
    repo.commit("base", BASE_FILES)
    base = repo.commit("more", {"shop/prices.py": CLEAN, "tests/test_prices.py": CLEAN_TEST})
    repo.delete("shop/prices.py", "tests/test_prices.py")
    head = repo.commit("delete")
    report = run_audit(repo, base, head)
    assert report.passed, report.reasons


def test_deleting_code_with_findings_fixes_them(repo: RepoBuilder) -> None:
    base = _base(repo)
    repo.delete("shop/legacy.py", "tests/test_legacy.py")
    head = repo.commit("delete legacy")
    report = run_audit(repo, base, head)
    assert report.passed, report.reasons
    fixed = {f.rule for f in report.fixed_findings()}
    assert "S602" in fixed
    security = domain(report, Domain.SECURITY)
    assert security.head is not None and security.base is not None and security.head >= security.base


def test_renaming_a_file_with_findings_is_not_new(repo: RepoBuilder) -> None:
    base = _base(repo)
    repo.move("shop/legacy.py", "shop/old/legacy_tools.py")
    repo.write({"shop/old/__init__.py": '"""Old code."""\n',
                "tests/test_legacy.py": BASE_FILES["tests/test_legacy.py"].replace("shop.legacy", "shop.old.legacy_tools")})
    head = repo.commit("move")
    report = run_audit(repo, base, head)
    assert report.new_findings() == []
    assert report.fixed_findings() == []
    assert report.passed, report.reasons


def test_moving_code_within_a_file_keeps_fingerprints(repo: RepoBuilder) -> None:
    base = _base(repo)
    moved = LEGACY.replace('import subprocess\n', 'import subprocess\n\nVERSION = "1"\n\n\n# moved below\n')
    head = repo.commit("shift", {"shop/legacy.py": moved})
    report = run_audit(repo, base, head)
    assert report.new_findings() == []
    assert report.passed


def test_a_new_high_finding_always_blocks_its_domain(repo: RepoBuilder) -> None:
    base = _base(repo)
    bad = CLEAN + '\n\ndef fetch(cmd: str) -> int:\n    """Run cmd."""\n    import subprocess\n\n    return subprocess.call(cmd, shell=True)\n'
    head = repo.commit("bad", {"shop/prices.py": bad, "tests/test_prices.py": CLEAN_TEST})
    report = run_audit(repo, base, head)
    assert not report.passed
    assert "security" in blocking(report)
    assert any("S602" in r and "shop/prices.py" in r for r in report.reasons)
    assert [f.rule for f in report.new_findings()] == ["S602"]
    assert report.new_findings()[0].fingerprint in report.added_line_fingerprints


def test_a_copy_of_an_existing_finding_is_new(repo: RepoBuilder) -> None:
    base = _base(repo)
    copied = LEGACY + '\n\ndef run_again(cmd: str) -> int:\n    """Run again."""\n    return subprocess.call(cmd, shell=True)\n'
    head = repo.commit("copy", {"shop/legacy.py": copied})
    report = run_audit(repo, base, head)
    new = [f for f in report.new_findings() if f.rule == "S602"]
    assert len(new) == 1 and new[0].line == 20
    assert not report.passed


def test_a_low_finding_below_the_gate_does_not_block(repo: RepoBuilder) -> None:
    base = _base(repo)
    head = repo.commit("low", {"shop/__init__.py": '"""Shop."""\n\nimport os\n'})
    report = run_audit(repo, base, head)
    assert [f.rule for f in report.new_findings()] == ["F401"]
    assert report.passed
    assert domain(report, Domain.QUALITY).delta is not None


def test_policy_is_read_from_the_base_not_the_head(repo: RepoBuilder) -> None:
    repo.commit("base", BASE_FILES)
    base = repo.commit("policy", {".github/verity.toml": '[gate]\nseverity = "low"\n'})
    head = repo.commit("loosen and add a low finding", {
        ".github/verity.toml": '[gate]\nblock = []\nseverity = "critical"\n',
        "shop/__init__.py": '"""Shop."""\n\nimport os\n',
    })
    report = run_audit(repo, base, head)
    assert not report.passed
    assert "quality" in blocking(report)


def test_a_suppression_with_a_reason_silences_and_is_listed(repo: RepoBuilder) -> None:
    base = _base(repo)
    code = CLEAN + ('\n\ndef fetch(cmd: str) -> int:\n    """Run cmd."""\n    import subprocess\n\n'
                    '    return subprocess.call(cmd, shell=True)  # verity: ignore[S602] cmd is a constant from config\n')
    head = repo.commit("suppressed", {"shop/prices.py": code, "tests/test_prices.py": CLEAN_TEST})
    report = run_audit(repo, base, head)
    assert report.passed, report.reasons
    assert [(s.finding.rule, s.reason) for s in report.suppressions if s.finding.path == "shop/prices.py"] == [
        ("S602", "cmd is a constant from config")
    ]
    assert report.to_json()["suppressions"][-1]["reason"]


def test_a_suppression_without_a_reason_is_not_honoured(repo: RepoBuilder) -> None:
    base = _base(repo)
    code = CLEAN + ('\n\ndef fetch(cmd: str) -> int:\n    """Run cmd."""\n    import subprocess\n\n'
                    '    return subprocess.call(cmd, shell=True)  # verity: ignore[S602]\n')
    head = repo.commit("unexplained", {"shop/prices.py": code, "tests/test_prices.py": CLEAN_TEST})
    report = run_audit(repo, base, head)
    assert not report.passed
    assert {f.rule for f in report.new_findings()} >= {"S602", "QLT002"}


def test_every_delta_is_explained_to_the_point(repo: RepoBuilder) -> None:
    base = _base(repo)
    head = repo.commit("fix and break", {
        "shop/legacy.py": LEGACY.replace("import os\n", ""),
        "shop/prices.py": CLEAN + "\n\ndef fetch(cmd: str) -> int:\n    \"\"\"Run.\"\"\"\n    import subprocess\n\n    return subprocess.call(cmd, shell=True)\n",
        "tests/test_prices.py": CLEAN_TEST,
    })
    report = run_audit(repo, base, head)
    for result in report.domains:
        if result.delta is None:
            continue
        assert round(sum(e.points for e in result.explanation), 1) == result.delta, result


def test_the_same_engine_scores_both_sides(repo: RepoBuilder) -> None:
    base = _base(repo)
    report = run_audit(repo, base, base)
    assert report.passed and report.findings == ()
    assert all(d.delta in (0.0, None) for d in report.domains)


def test_adding_the_first_code_to_a_repo_without_ci_is_not_a_ci_regression(repo: RepoBuilder) -> None:
    base = repo.commit("docs only", {"README.md": "# x\n\n## Install\n\npip\n\n## Usage\n\nrun\n"})
    head = repo.commit("first code", {"shop/__init__.py": '"""Shop."""\n', "shop/prices.py": CLEAN,
                                      "tests/test_prices.py": CLEAN_TEST})
    report = run_audit(repo, base, head)
    ci = domain(report, Domain.CI)
    assert ci.head is not None and ci.head < 100
    assert not ci.regressed and report.passed, report.reasons


def test_adding_an_untested_module_is_owned_by_the_pr(repo: RepoBuilder) -> None:
    base = _base(repo)
    head = repo.commit("untested", {"shop/prices.py": CLEAN + "\n\ndef more(x: float) -> float:\n    \"\"\"More.\"\"\"\n    return x * 2\n"})
    report = run_audit(repo, base, head)
    tests = domain(report, Domain.TESTS)
    assert tests.regressed and any("shop/prices.py" in r for r in tests.reasons)


def test_editing_an_untested_legacy_module_does_not_own_its_missing_tests(repo: RepoBuilder) -> None:
    repo.commit("base", BASE_FILES)
    base = repo.commit("untested legacy", {"shop/prices.py": CLEAN + "\n\ndef more(x: float) -> float:\n    \"\"\"More.\"\"\"\n    return x * 2\n"})
    head = repo.commit("edit it", {"shop/prices.py": CLEAN + "\n\ndef more(x: float) -> float:\n    \"\"\"More.\"\"\"\n    return x * 3\n"})
    report = run_audit(repo, base, head)
    assert not domain(report, Domain.TESTS).regressed
    assert report.passed, report.reasons


def test_a_domain_with_nothing_to_judge_is_never_regressed(repo: RepoBuilder) -> None:
    base = _base(repo)
    head = repo.commit("broken config yaml", {"config/settings.yaml": "key: [unclosed\n"})
    report = run_audit(repo, base, head)
    infra = domain(report, Domain.INFRASTRUCTURE)
    assert infra.base is None and infra.head is None
    assert not infra.regressed and not infra.blocking
    assert "INF001" in {f.rule for f in report.new_findings()}  # listed, just not judged


def test_templated_helm_files_are_noted_not_errors(repo: RepoBuilder) -> None:
    base = _base(repo)
    template = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
                "  template:\n    spec:\n      containers:\n{{- range .Values.containers }}\n        - image: {{ .image }}\n{{- end }}\n")
    head = repo.commit("chart", {"chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
                                 "chart/templates/deployment.yaml": template})
    report = run_audit(repo, base, head)
    assert report.notes == ("1 templated Helm files were not judged by the Kubernetes checks: chart/templates/deployment.yaml",)
    assert report.to_json()["notes"] == list(report.notes)
    assert not any(f.path == "chart/templates/deployment.yaml" and f.domain is Domain.INFRASTRUCTURE
                   for f in report.new_findings())
    assert report.passed, report.reasons
