"""Installed and vendored trees, and the repository's own excludes, are not the project's code."""

from __future__ import annotations

import pytest

from app.engine.model import Domain
from app.engine.vendored import left_out
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import domain, run_audit

SECRET = 'API_TOKEN = "' + "sk_" + "live_" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0" + '"\n'
PACKAGE = '"""A package someone installed."""\n\n\ndef load(path):\n    return open(path).read()\n' + SECRET
PACKAGE_TEST = "from pkg import load\n\n\ndef test_load():\n    assert load\n"
PROJECT = {
    "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\ndependencies = []\n\n'
                      '[tool.ruff]\nextend-exclude = ["legacy", "tools/gen_*.py"]\n',
    "svc/__init__.py": '"""Svc."""\n',
    "svc/core.py": '"""Core."""\n\n\ndef add(a: int, b: int) -> int:\n    """Add."""\n    return a + b\n',
}
INSTALLED = {
    "venv/pyvenv.cfg": "home = C:\\Python311\nversion = 3.11.4\n",
    "venv/Lib/site-packages/pkg/__init__.py": PACKAGE,
    "venv/Lib/site-packages/pkg/tests/test_pkg.py": PACKAGE_TEST,
    "venv/Scripts/activate_this.py": SECRET,
    ".venv/lib/python3.11/site-packages/other/__init__.py": PACKAGE,  # no pyvenv.cfg: the layout says it
    "web/node_modules/left-pad/index.py": SECRET,
    "vendor/pkg-1.0.dist-info/RECORD.py": SECRET,
    "legacy/old.py": SECRET,  # the repository's ruff settings exclude it
    "tools/gen_client.py": SECRET,
}


def test_installed_trees_are_left_out_of_every_check_with_a_note_and_one_low_finding(repo: RepoBuilder) -> None:
    base = repo.commit("base", PROJECT)
    head = repo.commit("commit the environment", INSTALLED)
    report = run_audit(repo, base, head)
    new = report.new_findings()
    assert [(f.rule, f.path, f.severity.value) for f in new] == [("DEP007", ".venv/lib/python3.11/site-packages/"
                                                                  "other/__init__.py", "low")]
    assert "venv/ (" in new[0].message and ".venv/ (" in new[0].message
    assert report.passed
    [note] = [n for n in report.notes if "not the project's code" in n]
    assert note.startswith("9 files are not the project's code")
    assert "5 in installed Python environments" in note and "1 in node_modules" in note
    assert "2 Python files the repository's ruff settings exclude" in note
    # Installed code weighs on no score: the security score is what the project alone earns.
    assert domain(report, Domain.SECURITY).base == domain(report, Domain.SECURITY).head


def test_a_file_newly_excluded_fixes_nothing(repo: RepoBuilder) -> None:
    base = repo.commit("base", {**PROJECT, "legacy/old.py": "x = 1\n", "svc/keys.py": SECRET})
    head = repo.commit("exclude svc", {"pyproject.toml": PROJECT["pyproject.toml"].replace('"legacy"', '"svc"')})
    report = run_audit(repo, base, head)
    assert [f for f in report.findings if f.status == "fixed"] == []


def test_markers_decide_not_folder_names() -> None:
    paths = ["venv/app.py", "env/pyvenv.cfg", "env/bin/python.py", "lib/site.py", "src/site_packages/x.py",
             "usr/lib/python3/dist-packages/apt/__init__.py", "pkg.egg-info/PKG-INFO", "node_modules.py"]
    gone = left_out(paths, {})
    assert set(gone.reasons) == {"env/pyvenv.cfg", "env/bin/python.py",
                                 "usr/lib/python3/dist-packages/apt/__init__.py", "pkg.egg-info/PKG-INFO"}
    assert [(e.root, e.files) for e in gone.environments] == [("env", 2), ("usr", 1)]
    ruff = {"ruff.toml": b'exclude = ["migrations", "./gen/*.py"]\n[lint]\nexclude = ["proto/"]\n'}
    excluded = left_out(["app/migrations/0001.py", "gen/api.py", "gen/sub/x.py", "migrations.yaml", "proto/a.py",
                         "app/main.py"], ruff)
    assert set(excluded.reasons) == {"app/migrations/0001.py", "gen/api.py", "gen/sub/x.py", "proto/a.py"}
    attributes = {".gitattributes": b"# vendored code\nthird_party/** linguist-vendored\n*.min.js linguist-vendored\n"
                                     b"third_party/ours/** -linguist-vendored\n"}
    marked = left_out(["third_party/lib/a.py", "web/app.min.js", "third_party/ours/b.py", "app/main.py"], attributes)
    assert set(marked.reasons) == {"third_party/lib/a.py", "web/app.min.js"}



@pytest.mark.parametrize(
    ("config", "left"),
    [
        ("exclude: ^(profiling/|tests/data/)\nrepos: []\n", {"tests/data/cases/odd.py", "profiling/run.py"}),
        ("exclude: '^tests/data/'\n", {"tests/data/cases/odd.py"}),
        ("exclude: migrations/  # generated\n", {"app/migrations/0001.py"}),
        # Anything but literal paths is never run: a pattern with regex syntax is ignored whole.
        ("exclude: ^(tests/data/|(a+)+$)\n", set()),
        ("exclude: '.*'\n", set()),
        ("repos:\n  - repo: local\n    exclude: ^tests/data/\n", set()),  # one hook's own exclude
    ],
)
def test_what_every_pre_commit_hook_skips_is_left_out(config: str, left: set[str]) -> None:
    paths = ["tests/data/cases/odd.py", "tests/data/cases/odd.txt", "profiling/run.py", "app/migrations/0001.py",
             "app/main.py", "tests/test_main.py"]
    gone = left_out(paths, {".pre-commit-config.yaml": config.encode()})
    assert set(gone.reasons) == left
    assert not gone.installed()


def test_formatter_input_the_hooks_skip_never_blocks(repo: RepoBuilder) -> None:
    # psf/black 106b148d1d: test cases are formatter input, with names no code defines.
    config = {".pre-commit-config.yaml": "exclude: ^(profiling/|tests/data/)\nrepos: []\n"}
    base = repo.commit("base", {**PROJECT, **config})
    head = repo.commit("case", {"tests/data/cases/wrap.py": "print([x for x in undefined_name])\nif x:\n"})
    report = run_audit(repo, base, head)
    assert report.new_findings() == []
    assert report.passed
    assert any("every pre-commit hook of the repository skips" in note for note in report.notes)

def test_a_change_cannot_take_judged_code_out_of_judging(repo: RepoBuilder) -> None:
    base = repo.commit("base", PROJECT)
    head = repo.commit("hide svc", {"svc/pyvenv.cfg": "home = /usr/bin\n",
                                    "svc/core.py": PROJECT["svc/core.py"] + SECRET})
    report = run_audit(repo, base, head)
    assert ("SEC002", "svc/core.py") in {(f.rule, f.path) for f in report.new_findings()}
    assert not report.passed


def test_a_ruff_exclude_with_a_double_star_also_matches_no_folder_at_all() -> None:
    # pylint-dev/pylint excludes `tests/**/functional/`: its linter inputs sit in tests/functional/
    # (deliberately broken code, and syntax of a Python newer than ruff knows).
    pyproject = b'[tool.ruff]\nextend-exclude = ["tests/**/functional/", "**/data", "tests/input/"]\n'
    paths = ("tests/functional/a/bad.py", "tests/checkers/functional/x.py", "tests/unit/data/y.py", "data/z.py",
             "tests/input/q.py", "tests/test_self.py", "pylint/lint.py")
    gone = left_out(paths, {"pyproject.toml": pyproject}).reasons
    assert sorted(gone) == ["data/z.py", "tests/checkers/functional/x.py", "tests/functional/a/bad.py",
                            "tests/input/q.py", "tests/unit/data/y.py"]
