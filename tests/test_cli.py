"""The `verity` command: exit codes, every output format, rules and explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from app.cli import main
from tests.conftest import RepoBuilder
from tests.report_schema import assert_valid_report

SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"
DOMAINS = ["quality", "security", "tests", "docs", "architecture", "ci", "infrastructure",
           "observability", "performance", "dependencies"]
BAD = 'import subprocess\n\n\ndef run(cmd):\n    """Run."""\n    return subprocess.call(cmd, shell=True)\n'


def _repo(repo: RepoBuilder, head_files: dict[str, str]) -> tuple[str, str]:
    """Commit a base and a head; return their SHAs."""
    base = repo.commit("base", {"README.md": "# x\n\n## Install\n\npip\n\n## Usage\n\nrun\n", "app.py": '"""App."""\n'})
    head = repo.commit("head", head_files)
    return base, head


def test_exit_0_when_the_gate_passes(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = _repo(repo, {"notes.txt": "hello\n"})
    assert main(["audit", "--repo", str(repo.root), "--base", base]) == 0
    assert "Passed" in capsys.readouterr().out


def test_exit_1_when_the_gate_fails(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = _repo(repo, {"runner.py": BAD})
    assert main(["audit", "--repo", str(repo.root), "--base", base]) == 1
    assert "security" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["audit", "--repo", "{repo}", "--base", "no-such-ref"],
    ["audit", "--repo", "{tmp}", "--base", "HEAD"],
    ["audit", "--repo", "{repo}"],
    ["audit", "--repo", "{repo}", "--base", "HEAD", "--format", "yaml"],
    ["explain", "NOPE999"],
    ["audit", "--repo", "{repo}", "--base", "HEAD", "--format", "json", "--all"],
])
def test_exit_2_on_usage_or_input_errors(repo: RepoBuilder, tmp_path: Path, args: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _repo(repo, {"a.txt": "a\n"})
    filled = [a.format(repo=repo.root, tmp=tmp_path) for a in args]
    with_exit = _exit_code(filled)
    assert with_exit == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("verity: ") and "\n" not in err


def _exit_code(args: list[str]) -> int:
    """Return main's exit code, whether returned or raised by argparse."""
    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_exit_2_on_an_invalid_config(repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = _repo(repo, {"a.txt": "a\n"})
    bad = tmp_path / "verity.toml"
    bad.write_text("[gate\nseverity = 'x'\n")
    assert main(["audit", "--repo", str(repo.root), "--base", base, "--config", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_json_report_follows_the_contract(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    base, head = _repo(repo, {"runner.py": BAD})
    main(["audit", "--repo", str(repo.root), "--base", base, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert_valid_report(data)
    assert data["version"] == 1 and data["head"] == head and len(data["base"]) == 40
    assert [d["domain"] for d in data["domains"]] == DOMAINS
    assert data["gate"]["passed"] is False and data["gate"]["reasons"]
    security = data["domains"][1]
    assert security["regressed"] and security["blocking"] and security["new_findings"] == 1
    assert security["explanation"][0].startswith("-") and "S602" in security["explanation"][0]
    assert {f["status"] for f in data["findings"]} == {"new"}
    finding = data["findings"][0]
    assert set(finding) == {"rule", "name", "domain", "severity", "path", "line", "end_line", "message",
                            "status", "fingerprint", "on_added_line"}
    assert finding["on_added_line"] is True
    assert security["verdict"] == "regressed" and security["accepted"] is None
    assert security["reasons"][0]["kind"] == "finding" and security["reasons"][0]["rule"] == "S602"
    ci = next(d for d in data["domains"] if d["domain"] == "infrastructure")
    assert ci["base"] is None and ci["head"] is None and ci["regressed"] is False


def test_sarif_is_valid_2_1_0(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = _repo(repo, {"runner.py": BAD, "dir with space/é.py": BAD})
    main(["audit", "--repo", str(repo.root), "--base", base, "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"S602"} and len(results) == 2


def test_markdown_is_the_check_run_summary(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = _repo(repo, {"runner.py": BAD})
    main(["audit", "--repo", str(repo.root), "--base", base, "--format", "markdown"])
    out = capsys.readouterr().out
    assert "| Domain | Base | Head | Δ | Verdict | Why |" in out
    assert "| security | 100.0 |" in out and "regressed" in out
    assert "](http" not in out  # no origin on GitHub and no --link-base: locations are code, not links


def test_markdown_links_to_the_head_with_link_base_or_a_github_origin(
    repo: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = _repo(repo, {"runner.py": BAD})
    args = ["audit", "--repo", str(repo.root), "--base", base, "--format", "markdown"]
    main([*args, "--link-base", "https://ghe.example.com/acme/shop"])
    assert f"[`runner.py:6`](https://ghe.example.com/acme/shop/blob/{head}/runner.py#L6)" in capsys.readouterr().out
    repo.git("remote", "add", "origin", "git@github.com:acme/shop.git")
    main(args)
    assert f"[`runner.py:6`](https://github.com/acme/shop/blob/{head}/runner.py#L6)" in capsys.readouterr().out


def test_text_puts_findings_first_without_colour_off_a_terminal(
    repo: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    long_name = "deep/" * 30 + "runner.py"
    base, _ = _repo(repo, {long_name: BAD})
    main(["audit", "--repo", str(repo.root), "--base", base])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[1] == "new findings: 1 (1 high); fixed: 0"
    assert lines.index("blocking (1):") < next(i for i, line in enumerate(lines) if line.startswith("domain "))
    assert "\033" not in captured.out and captured.err == ""
    assert max(len(line) for line in lines) <= 100


def test_sarif_all_lists_every_finding_at_head_with_its_baseline_state(
    repo: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    base = repo.commit("base", {"old.py": BAD, "gone.py": BAD.replace("run", "go")})
    repo.delete("gone.py")
    fresh = '"""Fresh."""\n\nimport os\nimport subprocess\n\nROOT = os.getcwd()\n\n\ndef fresh(line: str) -> int:\n' \
            '    """Run a line."""\n    return subprocess.run(line, shell=True, cwd=ROOT).returncode\n'
    repo.commit("head", {"new.py": fresh})
    main(["audit", "--repo", str(repo.root), "--base", base, "--format", "sarif", "--all"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    states = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]): r["baselineState"]
              for r in results}
    assert states[("new.py", "S602")] == "new", states
    assert states[("old.py", "S602")] == "unchanged"
    assert states[("gone.py", "S602")] == "absent"


def test_audit_reads_git_objects_not_the_work_tree(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = _repo(repo, {"runner.py": BAD})
    (repo.root / "runner.py").write_text('"""Clean now, but not committed."""\n')
    assert main(["audit", "--repo", str(repo.root), "--base", base]) == 1
    capsys.readouterr()


def test_audit_works_on_a_bare_mirror(repo: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, head = _repo(repo, {"runner.py": BAD})
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo.root), str(bare)], check=True)
    assert main(["audit", "--repo", str(bare), "--base", base, "--head", head]) == 1
    capsys.readouterr()


def test_rules_lists_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"code": "QLT001", "name": "syntax-error", "domain": "quality", "severity": "high",
            "summary": "Flags Python files that do not parse."} in rows
    assert all(set(r) == {"code", "name", "domain", "severity", "summary"} for r in rows)


def test_explain_a_code_and_a_domain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "QLT001"]) == 0
    out = capsys.readouterr().out
    assert "## Why is this bad?" in out and "syntax-error" in out
    assert main(["explain", "security"]) == 0
    out = capsys.readouterr().out
    assert ("score = 100" in out and "S602" not in out) or "S6" in out
    assert main(["explain", "S602"]) == 0
    assert "security" in capsys.readouterr().out


def test_the_installed_command_runs(repo: RepoBuilder) -> None:
    base, _ = _repo(repo, {"runner.py": BAD})
    proc = subprocess.run([str(Path(sys.executable).with_name("verity")), "audit", "--repo", str(repo.root),
                           "--base", base, "--format", "json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["gate"]["passed"] is False


@pytest.mark.parametrize(("command", "env", "named"), [
    ("serve", {"VERITY_APP_ID": "1"}, "VERITY_WEBHOOK_SECRET"),
    ("serve", {"VERITY_WEBHOOK_SECRET": "s"}, "VERITY_APP_ID"),
    ("worker", {"VERITY_WEBHOOK_SECRET": "s", "VERITY_APP_ID": "1"}, "VERITY_PRIVATE_KEY"),
])
def test_a_missing_setting_stops_start_up_naming_it(command: str, env: dict[str, str], named: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VERITY_")}
    proc = subprocess.run([str(Path(sys.executable).with_name("verity")), command], capture_output=True, text=True,
                          env={**clean, **env}, check=False, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("verity: ") and named in proc.stderr and "Traceback" not in proc.stderr


def test_a_blob_missing_from_the_object_store_is_skipped_not_fatal(
    repo: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("big", {"big.bin": "x" * 5000})  # in the base, so the PR's diff never needs it
    base, head = _repo(repo, {"runner.py": BAD})
    blob = repo.git("rev-parse", f"{head}:big.bin").strip()
    # As in a partial clone that never fetched it: `git ls-tree --long` then prints the size as `BAD`.
    (repo.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    assert main(["audit", "--repo", str(repo.root), "--base", base, "--head", head, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [s["reason"] for s in data["skipped"] if s["path"] == "big.bin"] == [
        "blob absent from the repository (a partial clone?), never fetched"]


def test_the_verity_program_exits_with_the_audits_code_and_its_whole_output(tmp_path: Path) -> None:
    # `verity audit` leaves through os._exit: what it printed must be flushed first, small or big.
    repo = tmp_path / "r"
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},  # buffered, as in a pipe
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "VERITY_DATA_DIR": str(tmp_path / "data")}

    def commit(name: str, text: str) -> None:
        (repo / name).write_text(text)
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", name], check=True, env=env)

    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    commit("a.py", '"""A."""\n')
    commit("b.py", '"""B."""\n')
    verity = [str(Path(sys.executable).with_name("verity")), "audit", "--repo", str(repo), "--base", "HEAD~1"]
    small = subprocess.run([*verity, "--format", "markdown"], capture_output=True, env=env, check=False, text=True)
    assert small.returncode == 0 and small.stdout.strip() and len(small.stdout) < 8192  # all of it in the buffer
    assert small.stdout == subprocess.run([sys.executable, "-c", "import sys; from app.cli import main; "
                                           "sys.exit(main())", *verity[1:], "--format", "markdown"],
                                          capture_output=True, env=env, check=False, text=True).stdout
    commit("c.py", 'PASSWORD = "hunter2-but-a-real-one-9f8e7d"\n' * 3000)
    big = subprocess.run([*verity, "--format", "json"], capture_output=True, env=env, check=False)
    assert big.returncode == 1 and json.loads(big.stdout)["gate"]["passed"] is False
