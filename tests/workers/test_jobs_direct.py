"""Plain job functions called directly (no Celery): repositories, push ordering, the audit's mirror checks."""

from __future__ import annotations

from app.github.job import RepositoryJob
from app.gitrepo.repo import GitRepo
from app.jobs.audit import has_commit
from app.jobs.push import committed_at, position
from app.jobs.repositories import record_repository
from app.jobs.runtime import Runtime
from tests.conftest import RepoBuilder


def test_a_repository_verity_never_audited_is_unknown_to_the_repository_job(rt: Runtime) -> None:
    assert record_repository(rt, RepositoryJob(repo_id=4040, action="privatized")) == "unknown"
    assert record_repository(rt, RepositoryJob(repo_id=4040, action="deleted")) == "forgotten"


def test_push_history_is_ordered_by_first_parent_position_not_time(repo: RepoBuilder) -> None:
    first = repo.commit("one", {"a.py": "x = 1\n"})
    second = repo.commit("two", {"a.py": "x = 2\n"})
    git = GitRepo(repo.root / ".git")
    assert (position(git, first), position(git, second)) == (1, 2)
    assert committed_at(git, second) >= committed_at(git, first) > 0


def test_has_commit_tells_a_present_commit_from_an_absent_one(repo: RepoBuilder) -> None:
    sha = repo.commit("one", {"a.py": "x = 1\n"})
    git = GitRepo(repo.root / ".git")
    assert has_commit(git, sha)
    assert not has_commit(git, "0" * 40)
