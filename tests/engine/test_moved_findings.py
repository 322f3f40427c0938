"""Moved, re-wrapped or re-annotated code keeps its findings: neither new nor fixed."""

from __future__ import annotations

from app.engine.collect import flagged_text
from app.engine.facts import analyse_text
from app.engine.model import RawFinding
from app.engine.report import Report
from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import blocking, run_audit

SHELL_CALL = "def deploy(cmd):\n    return subprocess.call(cmd, shell=True)\n"
CORS_WRAPPED = (
    "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
    "app = FastAPI()\n\n"
    "app.add_middleware(\n"
    "    CORSMiddleware,\n"
    '    allow_origins=["*"],\n'
    "    allow_credentials=True,\n"
    '    allow_methods=["*"],\n'
    ")\n"
)
CORS_ONE_LINE = CORS_WRAPPED.replace(
    'app.add_middleware(\n    CORSMiddleware,\n    allow_origins=["*"],\n    allow_credentials=True,\n'
    '    allow_methods=["*"],\n)',
    'app.add_middleware(CORSMiddleware,allow_origins=["*"],allow_credentials=True,allow_methods=["*"],)',
)
TIMEOUT_OLD = (
    "from typing import Optional\n\n\n"
    "async def fetch(url: str, timeout: Optional[float] = None) -> str:\n    return url\n"
)
TIMEOUT_NEW = "async def fetch(url: str, timeout: float | None = None) -> str:\n    return url\n"


def _filler(name: str, count: int) -> str:
    """Return distinct functions, so a file's content changes too much for git to see a rename."""
    return "".join(f"\n\ndef {name}_{n}(value):\n    return f'{{value}} {name} {n}'\n" for n in range(count))


def _new(report: Report, rule: str) -> list[str]:
    """Return the paths of the report's new findings of one rule."""
    return [f.path for f in report.findings if f.rule == rule and f.status == "new"]


def _fixed(report: Report, rule: str) -> list[str]:
    """Return the paths of the report's fixed findings of one rule."""
    return [f.path for f in report.findings if f.rule == rule and f.status == "fixed"]


def test_code_moved_to_a_file_git_does_not_pair_keeps_its_finding(repo: RepoBuilder) -> None:
    old = "import subprocess\n\n\n" + SHELL_CALL + _filler("old", 12)
    base = repo.commit("base", {"app/old_tools.py": old})
    repo.delete("app/old_tools.py")
    head = repo.commit("move", {"lib/tools.py": "import subprocess\n\n\n" + SHELL_CALL + _filler("new", 12)})
    statuses = [line.split("\t", 1)[0] for line in repo.git("diff", "-M", "--name-status", base, head).splitlines()]
    assert sorted(statuses) == ["A", "D"]  # git sees no rename
    report = run_audit(repo, base, head)
    assert _new(report, "S602") == []
    assert _fixed(report, "S602") == []
    assert "security" not in blocking(report)


def test_a_copy_of_existing_code_in_another_file_is_new(repo: RepoBuilder) -> None:
    old = "import subprocess\n\n\n" + SHELL_CALL
    base = repo.commit("base", {"app/old_tools.py": old})
    head = repo.commit("copy", {"lib/tools.py": "import subprocess\n\n\n" + SHELL_CALL})
    report = run_audit(repo, base, head)
    assert _new(report, "S602") == ["lib/tools.py"]
    assert "security" in blocking(report)


def test_moving_one_of_two_findings_and_adding_one_pairs_one_to_one(repo: RepoBuilder) -> None:
    other = "def build(cmd):\n    return subprocess.call(cmd + ['-x'], shell=True)\n"
    base = repo.commit("base", {"app/old_tools.py": "import subprocess\n\n\n" + SHELL_CALL + _filler("o", 12)})
    repo.delete("app/old_tools.py")
    moved = "import subprocess\n\n\n" + SHELL_CALL + "\n\n" + SHELL_CALL.replace("deploy", "deploy_again")
    head = repo.commit("move and add", {"lib/tools.py": moved + "\n\n" + other})
    report = run_audit(repo, base, head)
    assert _new(report, "S602") == ["lib/tools.py", "lib/tools.py"]


def test_collapsing_a_wrapped_cors_call_onto_one_line_keeps_its_finding(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/main.py": CORS_WRAPPED})
    head = repo.commit("collapse", {"app/main.py": CORS_ONE_LINE})
    report = run_audit(repo, base, head)
    assert _new(report, "SEC006") == []
    assert "security" not in blocking(report)


def test_a_second_wildcard_cors_call_is_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/main.py": CORS_WRAPPED})
    head = repo.commit("second app", {"app/admin.py": CORS_ONE_LINE})
    assert _new(run_audit(repo, base, head), "SEC006") == ["app/admin.py"]


def test_re_wrapping_a_flagged_call_keeps_its_ruff_finding(repo: RepoBuilder) -> None:
    wrapped = "import subprocess\n\n\ndef deploy(cmd):\n    return subprocess.call(\n        cmd,\n        shell=True,\n    )\n"
    base = repo.commit("base", {"app/tools.py": wrapped})
    head = repo.commit("collapse", {"app/tools.py": "import subprocess\n\n\n" + SHELL_CALL})
    report = run_audit(repo, base, head)
    assert _new(report, "S602") == []
    assert _fixed(report, "S602") == []


def test_rewriting_an_annotation_keeps_the_finding_of_its_parameter(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/client.py": TIMEOUT_OLD})
    head = repo.commit("new typing style", {"app/client.py": TIMEOUT_NEW})
    report = run_audit(repo, base, head)
    assert _new(report, "ASYNC109") == []
    assert "performance" not in blocking(report)


def test_another_flagged_parameter_in_the_same_file_is_new(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/client.py": TIMEOUT_OLD})
    second = TIMEOUT_OLD + "\n\nasync def post(url: str, timeout: Optional[float] = None) -> str:\n    return url\n"
    head = repo.commit("add post", {"app/client.py": second})
    assert _new(run_audit(repo, base, head), "ASYNC109") == ["app/client.py"]


def test_a_whole_file_finding_never_pairs_across_files(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/a.py": "def f(:\n    pass\n", "app/b.py": "x = 1\n"})
    head = repo.commit("fix a, break b", {"app/a.py": "def f():\n    pass\n", "app/b.py": "x = (\n"})
    report = run_audit(repo, base, head)
    assert _new(report, "QLT001") == ["app/b.py"]
    assert _fixed(report, "QLT001") == ["app/a.py"]


def test_code_moved_from_a_test_into_shipped_code_is_new_there(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"tests/test_cors.py": CORS_WRAPPED + _filler("t", 12)})
    repo.delete("tests/test_cors.py")
    head = repo.commit("ship it", {"app/main.py": CORS_WRAPPED + _filler("m", 12)})
    report = run_audit(repo, base, head)
    assert _new(report, "SEC006") == ["app/main.py"]
    assert "security" in blocking(report)


def test_the_flagged_node_is_the_fingerprint_text_and_survives_the_cache() -> None:
    lines = ["async def fetch(url, timeout: Optional[float] = None):", "    pass"]
    raw = RawFinding("ASYNC109", 1, "m", end_line=1, column=22, end_column=53)
    assert flagged_text(raw, lines) == "timeout: Optional[float] = None"
    assert RawFinding.from_json(raw.to_json()) == raw
    assert flagged_text(RawFinding("X", 2, "m", end_line=2), lines) == "    pass"


# Library code whose findings sit on lines with trailing comments: OBS001 (print), OBS002 (swallowed
# exception), PRF (a query in a loop), SEC005 (verification off), and ruff's S202.
COMMENTED = '''import logging
import tarfile

logger = logging.getLogger(__name__)


def dump(threads, tar, path, session):
    """Dump threads, unpack a tar, fetch a page."""
    for thread in threads:
        print(thread)  # noqa: T201
    try:
        tar.extractall(path=str(path))  # noqa: S202
    except Exception:  # noqa: BLE001 # pragma: no cover
        pass
    return session.get("https://example.com", verify=False)  # internal CA
'''


def test_rewritten_trailing_comments_leave_findings_where_they_were(repo: RepoBuilder) -> None:
    # tox-dev/tox bedbcbe0b6: pre-commit.ci rewrote every noqa comment as a ruff ignore naming the rule; the
    # findings on those lines came out new, and the S202 that noqa hid came back as a new finding.
    base = repo.commit("base", {"lib/__init__.py": "", "lib/dump.py": COMMENTED})
    head_text = (COMMENTED.replace("  # noqa: T201", "  # ruff:ignore[print]")
                 .replace("  # noqa: S202", "  # ruff:ignore[tarfile-unsafe-members]")
                 .replace("  # noqa: BLE001 # pragma: no cover", "  # pragma: no cover  # ruff:ignore[blind-except]")
                 .replace("  # internal CA", "  # see 'docs#ca' for the CA"))
    head = repo.commit("head", {"lib/dump.py": head_text})
    report = run_audit(repo, base, head)
    assert [(f.rule, f.status) for f in report.findings if f.status in ("new", "fixed")] == []
    assert blocking(report) == []
    # The lines are still judged: the same findings, with the same fingerprints, on both sides.
    before, after = analyse_text("lib/dump.py", COMMENTED), analyse_text("lib/dump.py", head_text)
    assert sorted(f.code for f in after.findings) == ["OBS001", "OBS002", "SEC005"]
    assert [f.snippet for f in before.findings] == [f.snippet for f in after.findings]


def test_one_more_place_importing_a_module_the_base_already_reports_undeclared_is_not_new(repo: RepoBuilder) -> None:
    # jupyter/docker-stacks 92e38afb87: new scripts import plumbum and tenacity, which requirements-dev.txt
    # declares and tagging/apps/merge_tags.py already imported: declaring them once fixes every place.
    base = repo.commit("base", {
        "requirements-dev.txt": "plumbum==2.0.2\npytest==9.1.1\n",
        "tagging/__init__.py": "",
        "tagging/merge_tags.py": "import plumbum\n\n\ndef merge():\n    return plumbum.local['docker']\n",
    })
    head = repo.commit("head", {
        "tagging/digest.py": "import plumbum\nimport requests\n\n\ndef digest():\n    return plumbum, requests\n",
    })
    report = run_audit(repo, base, head)
    new = sorted((f.rule, f.path, f.line) for f in report.findings if f.status == "new")
    assert new == [("DEP001", "tagging/digest.py", 2)]  # requests: a dependency nothing reported before
    assert "dependencies" in blocking(report)
    # Without the new dependency, the change adds a place, not a defect.
    head = repo.commit("head2", {"tagging/digest.py": "import plumbum\n\n\ndef digest():\n    return plumbum\n"})
    report = run_audit(repo, base, head)
    assert [f.rule for f in report.findings if f.status == "new"] == [] and blocking(report) == []
