"""Partial clones: an absent blob is a skipped file, never a crash and never a lazy fetch."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.engine.cache import MemoryFactsCache
from app.engine.collect import MISSING_REASON
from app.engine.pipeline import audit_commits
from app.gitrepo.repo import GitError, GitRepo
from tests.conftest import RepoBuilder

SECRET = 'API_TOKEN = "' + "sk_" + "live_" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0" + '"\n'
BIG_PY = "".join(f"value_{n} = {n}\n" for n in range(300))  # ~4 KB: over the clone's 1 KB filter


def partial_clone(source: RepoBuilder, target: Path) -> GitRepo:
    """Clone a repository over file:// with a blob size filter, as a promisor remote serves it."""
    source.git("config", "uploadpack.allowFilter", "true")
    subprocess.run(["git", "clone", "-q", "--bare", "--filter=blob:limit=1k", "--no-local",
                    f"file://{source.root}", str(target)], check=True, capture_output=True)
    return GitRepo(target)


def absent(repo: GitRepo) -> set[str]:
    """Return every object the clone lacks, asked without fetching."""
    out = subprocess.run(["git", "-C", str(repo.path), "rev-list", "--objects", "--all", "--missing=print"],
                         check=True, capture_output=True, text=True).stdout
    return {line[1:] for line in out.splitlines() if line.startswith("?")}


def test_absent_blobs_are_skipped_and_never_fetched(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"app/core.py": "def total(a, b):\n    return a + b\n",
                                "app/big.py": BIG_PY, "assets/logo.bin": bytes(range(256)) * 8,
                                "old.bin": b"\x00\x01" * 2000})
    repo.delete("old.bin")
    repo.move("app/core.py", "app/sums.py")  # a rename among present blobs stays a rename
    head = repo.commit("head", {"app/big.py": BIG_PY + "value_x = 1\n", "new.bin": b"\x02\x03" * 2000,
                                "app/settings.py": SECRET})
    clone = partial_clone(repo, tmp_path / "clone.git")
    before = absent(clone)
    assert len(before) >= 4  # both versions of app/big.py, logo.bin, old.bin, new.bin

    report = audit_commits(clone, base, head, MemoryFactsCache())

    assert absent(clone) == before  # nothing was fetched from the promisor remote
    skipped = dict(report.skipped)
    assert {p: skipped.get(p) for p in ("app/big.py", "assets/logo.bin", "new.bin")} == dict.fromkeys(
        ("app/big.py", "assets/logo.bin", "new.bin"), MISSING_REASON)
    new = [f for f in report.findings if f.status == "new"]
    assert [f.path for f in new if f.severity.value == "critical"] == ["app/settings.py"]
    assert not any(f.path in skipped for f in report.findings)


def test_a_partial_clone_whose_remote_is_gone_still_audits(repo: RepoBuilder, tmp_path: Path) -> None:
    base = repo.commit("base", {"app/big.py": BIG_PY})
    head = repo.commit("head", {"app/big.py": BIG_PY + "more = 2\n", "app/small.py": "x = 1\n"})
    clone = partial_clone(repo, tmp_path / "clone.git")
    repo.root.rename(tmp_path / "moved-away")  # the promisor remote no longer answers

    report = audit_commits(clone, base, head, MemoryFactsCache())

    assert dict(report.skipped)["app/big.py"] == MISSING_REASON
    assert clone.read_file(head, "app/small.py") == b"x = 1\n"
    [change] = [c for c in clone.diff(base, head).changes if c.path == "app/big.py"]
    assert change.status == "modified"


def test_a_blob_lost_from_a_full_repository_is_skipped(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"app/main.py": "x = 1\n", "vendor/lib.pyd": b"\x01\x02" * 500})
    repo.delete("vendor/lib.pyd")
    head = repo.commit("head", {"app/main.py": "x = 2\n", "vendor/other.pyd": b"\x03\x04" * 500})
    for path in ("vendor/lib.pyd", "vendor/other.pyd"):  # a mirror that lost objects: git lists them as `BAD`
        sha = repo.git("rev-parse", f"{base if path == 'vendor/lib.pyd' else head}:{path}").strip()
        (repo.root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()

    report = audit_commits(GitRepo(repo.root), base, head, MemoryFactsCache())

    assert dict(report.skipped) == {"vendor/other.pyd": MISSING_REASON}


def test_several_commits_listed_together_match_one_by_one(repo: RepoBuilder) -> None:
    first = repo.commit("one", {"a.py": "x = 1\n", "pkg/b.py": "y = 2\n"})
    second = repo.commit("two", {"pkg/c.py": "z = 3\n"})
    together = GitRepo(repo.root).trees([first, second, first])
    assert together == [GitRepo(repo.root).tree(first), GitRepo(repo.root).tree(second), GitRepo(repo.root).tree(first)]
    assert [e.path for e in together[1]] == ["a.py", "pkg/b.py", "pkg/c.py"]
    with pytest.raises(GitError):
        GitRepo(repo.root).run_together([["ls-tree", first], ["ls-tree", "0" * 40]])
