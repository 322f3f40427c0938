"""The App's GitHub client and the mirror, against the fake GitHub and git served over HTTP."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.github.client import GitHubClient, InstallationTokens, Token
from app.github.errors import GitHubError, TransientGitHubError
from app.gitrepo.mirror import Mirrors, check_branch, check_clone_url
from app.gitrepo.repo import GitError
from config.settings import Settings
from tests.e2e.fake_github import FakeGitHub, FakeServer
from tests.e2e.git_server import GitServer
from tests.e2e.repos import Repo, git
from tests.e2e.services import AppKey, app_key


@pytest.fixture(scope="module")
def key() -> AppKey:
    return app_key()


@pytest.fixture(scope="module")
def fake(key: AppKey) -> Iterator[FakeServer]:
    with FakeServer(FakeGitHub("31", key.public_pem)) as server:
        yield server


def settings(fake: FakeServer, key: AppKey, tmp_path: Path, private_key: str | None = None) -> Settings:
    """Return settings pointing at the fake GitHub."""
    return Settings(webhook_secret="s", app_id="31", private_key=private_key or key.private_pem,
                    github_api_url=fake.url, data_dir=tmp_path)


def test_token_is_minted_once_with_a_valid_jwt_and_cached(fake: FakeServer, key: AppKey, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    fake.fake.reset()
    caplog.set_level(logging.DEBUG)
    tokens = InstallationTokens(settings(fake, key, tmp_path))
    first = tokens.get(9)
    assert tokens.get(9) is first
    assert len(fake.fake.calls("POST", r"/app/installations/9/access_tokens$")) == 1
    assert first.value in fake.fake.tokens
    assert first.value not in repr(first)
    assert first.value not in caplog.text


def test_a_wrong_private_key_is_refused(fake: FakeServer, key: AppKey, tmp_path: Path) -> None:
    other = app_key()
    with pytest.raises(GitHubError, match="401"):
        InstallationTokens(settings(fake, key, tmp_path, other.private_pem)).get(9)


def test_expiring_tokens_are_renewed(fake: FakeServer, key: AppKey, tmp_path: Path) -> None:
    fake.fake.reset()
    tokens = InstallationTokens(settings(fake, key, tmp_path))
    tokens._tokens[9] = Token("old", expires_at=0.0)
    assert tokens.get(9).value != "old"


def test_errors_are_sorted_into_transient_and_permanent(fake: FakeServer, key: AppKey, tmp_path: Path) -> None:
    fake.fake.reset()
    token = InstallationTokens(settings(fake, key, tmp_path)).get(9)
    client = GitHubClient(settings(fake, key, tmp_path), token)
    fake.fake.fail("GET", r"/pulls/1$", 502)
    with pytest.raises(TransientGitHubError):
        client.rest("GET", "/repos/o/r/pulls/1")
    fake.fake.fail("GET", r"/pulls/1$", 403, headers={"Retry-After": "3"}, body={"message": "secondary rate limit"})
    with pytest.raises(TransientGitHubError) as limited:
        client.rest("GET", "/repos/o/r/pulls/1")
    assert limited.value.retry_after == 3.0
    with pytest.raises(GitHubError, match="404"):
        client.rest("GET", "/repos/o/r/pulls/1")


def test_mirror_fetches_with_the_token_header_only(fake: FakeServer, key: AppKey, tmp_path: Path) -> None:
    fake.fake.reset()
    token = InstallationTokens(settings(fake, key, tmp_path)).get(9)
    with GitServer(tmp_path / "served", lambda t: t in fake.fake.tokens) as server:
        repo = Repo(tmp_path / "served", tmp_path / "work", "octo/mirror")
        base = repo.commit({"a.txt": "one\n"}, "base")
        repo.publish("main")
        head = repo.commit({"a.txt": "two\n"}, "pr", branch="feature")
        repo.open_pull(3, head)
        mirrors = Mirrors(tmp_path / "data")
        git = mirrors.fetch(55, server.url("octo/mirror"), "main", 3, token.value)
        assert git.resolve("refs/heads/main") == base
        assert git.resolve("refs/pull/3/head") == head
        assert server.seen_auth and all(a.startswith("Basic ") for a in server.seen_auth)
        assert all(token.value not in p for p in server.seen_paths)
        config = subprocess.run(["git", "-C", str(mirrors.path(55)), "config", "--list", "--local"],
                                capture_output=True, text=True, check=True).stdout
        assert token.value not in config and "extraheader" not in config.lower()
        with pytest.raises(GitError) as refused:
            mirrors.fetch(55, server.url("octo/mirror"), "main", 3, "not-a-token")
        assert "not-a-token" not in str(refused.value)


def test_mirror_leaves_blobs_over_the_size_limit_on_the_server(fake: FakeServer, key: AppKey, tmp_path: Path) -> None:
    fake.fake.reset()
    token = InstallationTokens(settings(fake, key, tmp_path)).get(9)
    with GitServer(tmp_path / "served", lambda t: t in fake.fake.tokens) as server:
        repo = Repo(tmp_path / "served", tmp_path / "work", "octo/partial")
        git(repo.bare, "config", "uploadpack.allowFilter", "true")  # as GitHub serves filters
        repo.commit({"data/dump.sql": "INSERT INTO t VALUES (1);\n" * 60_000, "app.py": "x = 1\n"}, "base")
        repo.publish("main")
        head = repo.commit({"app.py": "x = 2\n"}, "pr", branch="feature")
        repo.open_pull(4, head)
        mirror = Mirrors(tmp_path / "data").fetch(56, server.url("octo/partial"), "main", 4, token.value)
        entries = {e.path: e for e in mirror.tree(head)}
        assert entries["data/dump.sql"].is_missing  # 1.5 MB: never downloaded
        assert not entries["app.py"].is_missing and mirror.read_file(head, "app.py") == b"x = 2\n"
        assert mirror.missing_blobs(head) == {entries["data/dump.sql"].sha}
        newer = repo.commit({"data/dump.sql": "INSERT INTO t VALUES (2);\n" * 60_000, "app.py": "x = 3\n"},
                            "pr again", branch="feature")
        repo.open_pull(4, newer)
        again = Mirrors(tmp_path / "data").fetch(56, server.url("octo/partial"), "main", 4, token.value)
        assert again.resolve("refs/pull/4/head") == newer and again.read_file(newer, "app.py") == b"x = 3\n"
        assert {e.path for e in again.tree(newer) if e.is_missing} == {"data/dump.sql"}


@pytest.mark.parametrize("url", ["file:///etc", "ext::sh -c id", "http://example.com/o/r.git",
                                 "https://user:pw@github.com/o/r.git", "git://github.com/o/r.git"])
def test_unsafe_clone_urls_are_refused(url: str) -> None:
    with pytest.raises(GitError):
        check_clone_url(url)


@pytest.mark.parametrize("name", ["-upload-pack=x", "a..b", "a b", "x:y", "", "main.lock", "refs/*"])
def test_unsafe_branch_names_are_refused(name: str) -> None:
    with pytest.raises(GitError):
        check_branch(name)


def test_ordinary_names_pass() -> None:
    assert check_clone_url("https://github.com/o/r.git") == "https://github.com/o/r.git"
    assert check_branch("release/2.x") == "release/2.x"
