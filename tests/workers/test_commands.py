"""Slash commands handled as the worker does, against the fake GitHub, a real Redis and (for audits) real git."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
import redis

from app.github.errors import TransientGitHubError
from app.github.job import AuditJob, CommentJob
from app.jobs.commands import text
from app.jobs.commands.explain import DOMAINS, explain_code
from app.jobs.commands.handle import REASON_LIMIT, Request, handle_comment
from app.jobs.commands.parser import Command
from app.jobs.runtime import Runtime
from app.report.escape import escape_untrusted
from app.store.keys import COOLDOWN_SECONDS, job_key, rerun_limit_key
from app.store.ratelimit import claim_rerun
from tests.e2e.fake_github import FakeGitHub, Pull
from tests.e2e.git_server import GitServer
from tests.e2e.payloads import example
from tests.e2e.repos import Repo
from tests.e2e.scenarios import BAD_POLICY, BASE

REPO = "octo-org/commands"
REPO_ID = 501
HEAD = "e" * 40
AUTHOR = "octocat"
ROLES = {"rita": "read", "tom": "triage", "wendy": "write", "ada": "admin", AUTHOR: "read"}
_comment_ids = itertools.count(80_000)


@dataclass(frozen=True)
class Answer:
    """What handling one comment did: the status, the reactions on it and the replies posted."""

    status: str
    reactions: list[str]
    replies: list[str]


@pytest.fixture
def pull(fake: FakeGitHub) -> Pull:
    """Open PR #7 of REPO in the fake, by AUTHOR, with everyone's role on the repository."""
    fake.pulls[(REPO, 7)] = Pull(HEAD, "main", author=AUTHOR)
    for login, role in ROLES.items():
        fake.permissions[(REPO, login)] = role
    return fake.pulls[(REPO, 7)]


def comment_job(fake: FakeGitHub, body: str, login: str, user_type: str = "User", repo: str = REPO,
                clone_url: str = "https://github.com/octo-org/commands.git") -> CommentJob:
    """Store a real comment in the fake as GitHub holds it, and return the job that names it."""
    comment = example("issue_comment", "created")["comment"]
    comment_id = next(_comment_ids)
    comment.update(id=comment_id, body=body)
    comment["user"].update(login=login, type=user_type)
    fake.issue_comments[comment_id] = comment
    return CommentJob(installation_id=77, repo_id=REPO_ID, repo_full_name=repo, pr_number=7, comment_id=comment_id,
                      clone_url=clone_url, delivery_id="d-cmd")


def answer(rt: Runtime, fake: FakeGitHub, job: CommentJob) -> Answer:
    """Handle a comment job and return what Verity did on GitHub."""
    status = handle_comment(rt, job, "task-1")
    reactions = [r["content"] for r in fake.reactions if r["comment_id"] == job.comment_id]
    return Answer(status, reactions, [r["body"] for r in fake.replies if r["number"] == job.pr_number])


def command(rt: Runtime, fake: FakeGitHub, body: str, login: str = "wendy") -> Answer:
    """Post a command comment as a user and return how Verity answered it."""
    return answer(rt, fake, comment_job(fake, body, login))


def replied(reply: str, status: str) -> Answer:
    """Return the answer of a command that replies: 👀 on receipt, then one comment."""
    return Answer(status, [text.EYES], [reply])


def test_help_is_a_reply_after_the_eyes_reaction(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    assert command(rt, fake, "/audit help", "rita") == replied(
        text.HELP.format(cooldown=COOLDOWN_SECONDS, domains=DOMAINS), "help")
    assert fake.replies[0]["repo"] == REPO


def test_a_deleted_comment_is_gone_and_nothing_is_posted(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    job = comment_job(fake, "/audit help", "rita")
    del fake.issue_comments[job.comment_id]
    assert answer(rt, fake, job) == Answer("gone", [], [])


@pytest.mark.parametrize(("body", "user_type"), [("thanks, fixed", "User"), ("/audit help", "Bot")])
def test_comments_edited_into_chatter_and_bots_are_ignored(rt: Runtime, fake: FakeGitHub, pull: Pull, body: str,
                                                           user_type: str) -> None:
    assert answer(rt, fake, comment_job(fake, body, "wendy", user_type)) == Answer("ignored", [], [])


def test_an_unknown_subcommand_is_refused_with_its_name_escaped(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    assert command(rt, fake, "/audit <img src=x>") == replied(
        text.UNKNOWN_COMMAND.format(name=escape_untrusted("<img")), "unknown")


def test_explain_usage_codes_and_unknown_topics_need_no_audit(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    usage = text.EXPLAIN_USAGE.format(domains=DOMAINS)
    assert command(rt, fake, "/audit explain", "rita") == replied(usage, "usage")
    assert command(rt, fake, "/audit explain SEC001 security", "rita").status == "usage"
    assert command(rt, fake, "/audit explain sec001", "rita").replies[-1] == explain_code("sec001")
    topic = "[x](https://evil.example)"
    unknown = command(rt, fake, f"/audit explain {topic}", "rita")
    assert (unknown.status, unknown.replies[-1]) == (
        "unknown-topic", text.UNKNOWN_TOPIC.format(topic=escape_untrusted(topic), domains=DOMAINS))
    assert fake.calls("GET", r"/pulls/7$") == []


def test_run_is_refused_to_readers_who_did_not_open_the_pr(rt: Runtime, fake: FakeGitHub, db: redis.Redis,
                                                            pull: Pull) -> None:
    assert command(rt, fake, "/audit run", "rita") == replied(
        text.DENIED.format(command="run", needed=text.NEEDS_AUTHOR_OR_WRITE, login="rita", role="read"), "denied")
    assert not db.exists(rerun_limit_key(REPO_ID, 7))  # a refusal must not spend the PR's re-run slot


def test_the_author_in_any_case_skips_the_role_check_but_not_the_cooldown(rt: Runtime, fake: FakeGitHub,
                                                                          db: redis.Redis, pull: Pull) -> None:
    assert claim_rerun(db, REPO_ID, 7, comment_id=1) == 0  # another comment re-ran the PR just now
    limited = command(rt, fake, "/audit", "OctoCat")
    assert limited.status == "rate-limited"
    wait = re.fullmatch(re.escape(text.RATE_LIMITED.format(cooldown=COOLDOWN_SECONDS, wait="@")).replace("@", r"(\d+)"),
                        limited.replies[-1])
    assert wait is not None and 1 <= int(wait[1]) <= COOLDOWN_SECONDS
    assert fake.calls("GET", r"/collaborators/") == []
    assert fake.calls("POST", r"/check-runs") == []


@pytest.mark.parametrize("login", ["rita", "tom", AUTHOR])
def test_accept_and_revoke_need_write_access(rt: Runtime, fake: FakeGitHub, pull: Pull, login: str) -> None:
    for verb in ("accept", "revoke"):
        assert command(rt, fake, f"/audit {verb} security we know", login).replies[-1] == text.DENIED.format(
            command=verb, needed=text.NEEDS_WRITE, login=login, role=ROLES[login])


def test_accept_checks_its_arguments_before_reading_the_pr(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    cases = {
        "/audit accept": ("usage", text.USAGE_ACCEPT.format(domains=DOMAINS)),
        "/audit accept s3curity reason": ("unknown-domain", text.UNKNOWN_DOMAIN.format(name="s3curity",
                                                                                        domains=DOMAINS)),
        "/audit accept Security": ("usage", text.REASON_REQUIRED.format(domain="security")),
        "/audit accept security " + "x" * (REASON_LIMIT + 1): ("usage", text.REASON_TOO_LONG.format(
            length=REASON_LIMIT + 1, limit=REASON_LIMIT)),
    }
    for body, (status, reply) in cases.items():
        got = command(rt, fake, body, "ada")
        assert (got.status, got.replies[-1]) == (status, reply), body
    assert fake.calls("GET", r"/pulls/7$") == []


def test_revoke_without_an_acceptance_changes_nothing(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    assert command(rt, fake, "/audit revoke") == replied(text.USAGE_REVOKE.format(domains=DOMAINS), "usage")
    assert command(rt, fake, "/audit revoke docs").replies[-1] == text.NOT_ACCEPTED.format(domain="docs")
    assert fake.calls("POST", r"/check-runs") == []


def test_a_refusal_from_github_is_reported_in_a_reply(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    del fake.pulls[(REPO, 7)]  # GitHub answers 404 for the PR
    got = command(rt, fake, "/audit revoke security")
    assert (got.status, got.reactions) == ("failed", [text.EYES])
    prefix = text.COMMAND_FAILED.format(reason="")
    assert got.replies[-1].startswith(prefix) and "404" in got.replies[-1]


def test_a_transient_failure_is_raised_for_the_task_to_retry(rt: Runtime, fake: FakeGitHub, pull: Pull) -> None:
    fake.fail("GET", r"/pulls/7$", 502)
    job = comment_job(fake, "/audit revoke security", "wendy")
    with pytest.raises(TransientGitHubError):
        handle_comment(rt, job, "task-1")
    assert fake.replies == []


def test_a_request_reads_the_pr_and_builds_a_forced_audit_of_its_head(rt: Runtime, fake: FakeGitHub,
                                                                      pull: Pull) -> None:
    job = comment_job(fake, "/audit", AUTHOR)
    req = Request(rt, rt.github(77), job, Command("run"), AUTHOR, "task-9")
    current = req.pull()
    assert (current.head_sha, current.base_ref, current.author) == (HEAD, "main", AUTHOR)
    assert req.audit_job(current) == AuditJob(installation_id=77, repo_id=REPO_ID, repo_full_name=REPO, pr_number=7,
                                              head_sha=HEAD, base_ref="main", clone_url=job.clone_url,
                                              delivery_id="d-cmd", force=True)
    assert req.role() == "read"


def open_pull(fake: FakeGitHub, repo: Repo, files: dict[str, str], base: dict[str, str] = BASE) -> str:
    """Publish a base on main and a head on a PR branch of a served repository; return the head."""
    base_sha = repo.commit(base, "base")
    repo.publish("main")
    head = repo.commit(files, "pr", branch="feature")
    repo.open_pull(7, head)
    fake.pulls[(repo.full_name, 7)] = Pull(head, "main", base_sha, author=AUTHOR)
    fake.permissions[(repo.full_name, "rita")] = "read"
    return head


def test_run_by_the_author_republishes_the_head_under_this_task(rt: Runtime, fake: FakeGitHub, db: redis.Redis,
                                                                git_server: GitServer, served_repo: Repo) -> None:
    head = open_pull(fake, served_repo, {"README.md": BASE["README.md"] + "\nMore words.\n"})
    job = comment_job(fake, "/audit", AUTHOR, repo=served_repo.full_name, clone_url=git_server.url(served_repo.full_name))
    assert answer(rt, fake, job) == Answer("run-published", [text.EYES, text.DONE], [])
    [run] = fake.runs_for(head)
    assert (run["status"], run["conclusion"]) == ("completed", "success")
    [claimed] = db.keys(job_key(REPO_ID, 7, head, "*"))
    assert db.get(claimed) == b"task-1"  # the job's claim names the task that ran it
    assert db.get(rerun_limit_key(REPO_ID, 7)) == str(job.comment_id).encode()


def test_a_broken_policy_on_the_base_is_reported_in_a_reply(rt: Runtime, fake: FakeGitHub, git_server: GitServer,
                                                            served_repo: Repo) -> None:
    open_pull(fake, served_repo, {"README.md": "# Changed\n"}, base={**BASE, **BAD_POLICY})
    job = comment_job(fake, "/audit explain security", "rita", repo=served_repo.full_name,
                      clone_url=git_server.url(served_repo.full_name))
    got = answer(rt, fake, job)
    assert (got.status, got.reactions) == ("policy-error", [text.EYES])
    assert got.replies[-1].startswith(text.POLICY_ERROR.format(error=""))
    assert fake.calls("POST", r"/check-runs") == []
