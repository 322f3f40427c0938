"""Hostile inputs are counted and skipped, or become findings; they never crash an audit."""

from __future__ import annotations

import os

from tests.conftest import RepoBuilder
from tests.engine.audit_helpers import run_audit

CLEAN = '"""Ok."""\n'


def test_hostile_files_are_skipped_or_reported(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"ok.py": CLEAN})
    repo.write({
        "blob.bin": bytes(range(256)) * 10,
        "latin.py": "# caf\xe9\nx = 1\n".encode("latin-1"),
        "big.py": "x = 1\n" * 900_000,
        "name with spaces.py": CLEAN,
        "ünïcødé/модуль.py": CLEAN,
        "broken.py": "def f(:\n    pass\n",
    })
    os.symlink("/etc/passwd", repo.root / "passwd.py")
    head = repo.commit("hostile")
    report = run_audit(repo, base, head)
    skipped = dict(report.skipped)
    assert skipped == {
        "blob.bin": "binary",
        "big.py": "over 1 MB",
        "passwd.py": "symlink (never followed)",
    }
    new = {(f.rule, f.path) for f in report.new_findings()}
    assert ("QLT001", "broken.py") in new
    assert ("QLT001", "latin.py") in new  # Python refuses a non-UTF-8 module with no coding line
    assert not any(f.path in skipped for f in report.findings)
    assert all("root:" not in f.message for f in report.findings)


def test_a_symlink_is_never_read(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"ok.py": CLEAN})
    target = repo.root.parent / "secret.py"
    token = "ghp_" + "Zq7xR2mV9kL4pW8sT1nB6yC3dF5gH0jK2aE4"
    target.write_text(f'TOKEN = "{token}"\nimport subprocess\nsubprocess.call(x, shell=True)\n')
    os.symlink(target, repo.root / "link.py")
    head = repo.commit("link")
    report = run_audit(repo, base, head)
    assert report.new_findings() == []
    assert ("link.py", "symlink (never followed)") in report.skipped


def test_a_deeply_nested_file_does_not_crash(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"ok.py": CLEAN})
    head = repo.commit("deep", {"deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"})
    report = run_audit(repo, base, head)
    assert report.head == head


def test_deeply_nested_yaml_and_json_do_not_crash_the_process(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"ok.py": CLEAN})
    deep = "[" * 400_000 + "]" * 400_000 + "\n"
    head = repo.commit("deep", {"deploy/app.yaml": "a: " + deep, "data.json": deep, ".github/workflows/x.yml": deep,
                                "compose.yml": "- " * 50_000 + "x\n"})
    report = run_audit(repo, base, head)
    assert report.head == head
    assert {f.path for f in report.new_findings() if f.rule in ("INF001", "CI001")} >= {"deploy/app.yaml"}


def test_symlink_targets_are_read_as_text_and_only_name_paths_inside_the_tree() -> None:
    from app.engine.collect import symlink_targets
    from app.engine.snapshot import TreeEntry

    links = {"docs/a.md": b"../src/a.md", "docs/abs": b"/etc/passwd", "docs/out": b"../../../etc/passwd",
             "docs/nul": b"a\0b", "docs/long": b"x" * 2000, "docs/dot": b".", "docs/dir": b"../src"}
    entries = [TreeEntry(path=p, sha=f"{n:040x}", mode="120000", size=len(t)) for n, (p, t) in enumerate(links.items())]
    blobs = {e.sha: links[e.path] for e in entries}
    assert symlink_targets(entries, blobs) == {"docs/a.md": "src/a.md", "docs/dot": "docs", "docs/dir": "src"}


def test_symlinked_folders_and_modules_are_importable_under_their_link() -> None:
    # kubernetes-client/python: kubernetes/watch is a link to kubernetes/base/watch, so `kubernetes.watch` exists.
    from app.checks.facts.python_modules import ModuleIndex, linked_paths

    paths = ["kubernetes/__init__.py", "kubernetes/base/watch/__init__.py", "kubernetes/base/watch/watch.py",
             "kubernetes/base/config/__init__.py", "shared/util.py"]
    links = {"kubernetes/watch": "kubernetes/base/watch", "pkg/util.py": "shared/util.py", "loop": "."}
    made = linked_paths(paths, links)
    assert sorted(made) == ["kubernetes/watch/__init__.py", "kubernetes/watch/watch.py", "pkg/util.py"]
    index = ModuleIndex.build([*paths, *made])
    assert index.resolve("kubernetes.watch") == {"kubernetes/watch/__init__.py"}
    assert index.resolve("kubernetes.watch.watch") == {"kubernetes/watch/watch.py"}
