"""A check at once, on one connection: the job's check run is created before any fetch, and every
GitHub call of a job shares one HTTP client."""

from __future__ import annotations

import logging

import pytest
import redis

from app.github.job import AuditJob
from app.jobs.audit import audit_pull_request
from app.jobs.runtime import Runtime
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.git_server import GitServer
from tests.e2e.repos import Repo
from tests.e2e.scenarios import REGRESSION
from tests.workers.test_commands import open_pull


def job_for(repo: Repo, git_server: GitServer, head: str) -> AuditJob:
    """Return the audit job of a served repository's PR 7."""
    return AuditJob(installation_id=77, repo_id=603, repo_full_name=repo.full_name, pr_number=7, head_sha=head,
                    base_ref="main", clone_url=git_server.url(repo.full_name))


def test_every_github_call_of_a_job_shares_one_connection(rt: Runtime, fake: FakeGitHub, db: redis.Redis,
                                                          git_server: GitServer, served_repo: Repo) -> None:
    head = open_pull(fake, served_repo, REGRESSION)
    assert audit_pull_request(rt, job_for(served_repo, git_server, head), "claim-1") == "published"
    calls = [r for r in fake.requests if r.path.startswith(f"/repos/{served_repo.full_name}/")]
    assert len(calls) >= 6  # find, create, start, reviews, comments, complete
    assert len({r.connection for r in calls}) == 1


def test_the_check_run_is_queued_before_the_mirror_is_fetched(rt: Runtime, fake: FakeGitHub, db: redis.Redis,
                                                              git_server: GitServer, served_repo: Repo) -> None:
    head = open_pull(fake, served_repo, REGRESSION)
    started = len(git_server.requested_at)
    audit_pull_request(rt, job_for(served_repo, git_server, head), "claim-1")
    [created] = fake.calls("POST", rf"/repos/{served_repo.full_name}/check-runs$")
    assert created.body["status"] == "queued"
    fetches = git_server.requested_at[started:]
    assert fetches and created.at < min(fetches)  # shown queued before the mirror fetch began


def test_the_published_log_line_says_where_the_job_spent_its_time(rt: Runtime, fake: FakeGitHub, db: redis.Redis,
                                                                  git_server: GitServer, served_repo: Repo,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="verity.jobs")
    head = open_pull(fake, served_repo, REGRESSION)
    audit_pull_request(rt, job_for(served_repo, git_server, head), "claim-1")
    [line] = [vars(r) for r in caplog.records if r.getMessage() == "audit published"]
    phases = [line[name] for name in ("fetch_s", "audit_s", "publish_s")]
    assert all(isinstance(t, float) and t >= 0 for t in phases)
    assert line["audit_s"] > 0 and line["total_s"] >= sum(phases) - 0.01
