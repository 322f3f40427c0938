"""Shared fixtures: real git repositories built in temp dirs."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest


class RepoBuilder:
    """A real git repository in a temp dir, built commit by commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        """Run git in the repository and return its output."""
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
        proc = subprocess.run(["git", "-C", str(self.root), "-c", "commit.gpgsign=false", *args],
                              capture_output=True, check=True, env=env)
        return proc.stdout.decode()

    def write(self, files: Mapping[str, str | bytes]) -> None:
        """Write files (text or bytes), creating folders."""
        for path, content in files.items():
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")

    def delete(self, *paths: str) -> None:
        """Delete files."""
        for path in paths:
            (self.root / path).unlink()

    def move(self, old: str, new: str) -> None:
        """Rename a file with git mv."""
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def commit(self, message: str = "change", files: Mapping[str, str | bytes] | None = None) -> str:
        """Write files if given, commit everything and return the new SHA."""
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    """Return an empty git repository."""
    return RepoBuilder(tmp_path / "repo")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give every test its own VERITY_DATA_DIR so caches never leak between tests."""
    monkeypatch.setenv("VERITY_DATA_DIR", str(tmp_path / "verity-data"))
    yield
