"""Slash commands as plain functions: react, check who asks, act, then reply or react 👍.

`handle_comment` is the job; `COMMANDS` maps each subcommand to its handler. A handler returns an
Outcome: a status for the logs and the reply to post (None: the 👍 reaction says it is done).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.engine.model import Domain
from app.engine.pipeline import load_policy_at
from app.engine.report import Report
from app.github.checks import now
from app.github.client import GitHubClient
from app.github.errors import GitHubError
from app.github.job import AuditJob, CommentJob
from app.github.output import truncate
from app.jobs.acceptances import accept_state, audit_head, result_of
from app.jobs.audit import audit_pull_request
from app.jobs.commands import text
from app.jobs.commands.explain import DOMAINS, breakdown, domain_named, explain_code
from app.jobs.commands.parser import Command, parse
from app.jobs.commands.permissions import can_write, role_of
from app.jobs.runtime import Runtime
from app.report.escape import escape_untrusted
from app.store.acceptances import Acceptance, AcceptanceStore
from app.store.keys import COOLDOWN_SECONDS
from app.store.ratelimit import claim_rerun
from config.policy import Policy, PolicyError

log = logging.getLogger("verity.commands")
REASON_LIMIT = 500


@dataclass(frozen=True)
class Pull:
    """What a command needs of the pull request, read from GitHub when the command runs."""

    head_sha: str
    base_ref: str
    author: str


@dataclass
class Request:
    """One command being handled: who asked, about which PR, through which client."""

    rt: Runtime
    gh: GitHubClient
    job: CommentJob
    command: Command
    login: str
    task_id: str

    @property
    def store(self) -> AcceptanceStore:
        """Return the PR's acceptances."""
        return AcceptanceStore(self.rt.redis, self.job.repo_id, self.job.pr_number)

    def pull(self) -> Pull:
        """Return the PR's current head, base branch and author."""
        data = self.gh.rest("GET", f"/repos/{self.job.repo_full_name}/pulls/{self.job.pr_number}")
        return Pull(str(data["head"]["sha"]), str(data["base"]["ref"]), str((data.get("user") or {}).get("login", "")))

    def role(self) -> str:
        """Return the asker's role on the repository."""
        return role_of(self.gh, self.job.repo_full_name, self.login)

    def audit_job(self, pull: Pull) -> AuditJob:
        """Return a forced audit of the PR's current head: it bypasses the job dedupe, nothing else."""
        job = self.job
        return AuditJob(installation_id=job.installation_id, repo_id=job.repo_id, repo_full_name=job.repo_full_name,
                        pr_number=job.pr_number, head_sha=pull.head_sha, base_ref=pull.base_ref,
                        clone_url=job.clone_url, delivery_id=job.delivery_id, force=True)

    def republish(self, pull: Pull) -> str:
        """Audit the head again and publish it: the gate is re-evaluated under the current acceptances."""
        return audit_pull_request(self.rt, self.audit_job(pull), self.task_id)


@dataclass(frozen=True)
class Outcome:
    """What a command did (for the logs) and what to reply (None: react 👍)."""

    status: str
    reply: str | None = None


Handler = Callable[[Request], Outcome]


def denied(req: Request, needed: str, role: str) -> Outcome:
    """Return the refusal of a command the asker may not use."""
    return Outcome("denied", text.DENIED.format(command=req.command.name, needed=needed, login=req.login, role=role))


def rerun(req: Request) -> Outcome:
    """Re-audit the current head: the PR's author or write access, once per PR per cooldown."""
    pull = req.pull()
    if req.login.casefold() != pull.author.casefold():  # logins are case-insensitive
        role = req.role()
        if not can_write(role):
            return denied(req, text.NEEDS_AUTHOR_OR_WRITE, role)
    wait = claim_rerun(req.rt.redis, req.job.repo_id, req.job.pr_number, req.job.comment_id)
    if wait:
        return Outcome("rate-limited", text.RATE_LIMITED.format(cooldown=COOLDOWN_SECONDS, wait=wait))
    return Outcome(f"run-{req.republish(pull)}")


def audit_now(req: Request, pull: Pull) -> tuple[Report, Policy]:
    """Audit the PR's current head under its acceptances, recording nothing."""
    rt, job = req.rt, req.job
    repo = rt.mirrors.fetch(job.repo_id, job.clone_url, pull.base_ref, job.pr_number,
                            rt.token(job.installation_id).value)
    base_sha = repo.resolve(f"refs/heads/{pull.base_ref}")
    policy = load_policy_at(repo, repo.merge_base(base_sha, pull.head_sha))
    return audit_head(rt, req.store, repo, (base_sha, pull.head_sha), policy, record=False), policy


def explain(req: Request) -> Outcome:
    """Reply with a check's documentation, or a domain's breakdown at the current head."""
    if len(req.command.args) != 1:
        return Outcome("usage", text.EXPLAIN_USAGE.format(domains=DOMAINS))
    topic = req.command.args[0]
    doc = explain_code(topic)
    if doc is not None:
        return Outcome("explained-code", doc)
    domain = domain_named(topic)
    if domain is None:
        return Outcome("unknown-topic", text.UNKNOWN_TOPIC.format(topic=escape_untrusted(topic), domains=DOMAINS))
    report, _ = audit_now(req, req.pull())
    return Outcome("explained-domain", breakdown(report, domain))


def domain_argument(req: Request, usage: str) -> Domain | Outcome:
    """Return the domain a command names, or the reply explaining why it names none."""
    if not req.command.args:
        return Outcome("usage", usage.format(domains=DOMAINS))
    domain = domain_named(req.command.args[0])
    if domain is None:
        name = escape_untrusted(req.command.args[0])
        return Outcome("unknown-domain", text.UNKNOWN_DOMAIN.format(name=name, domains=DOMAINS))
    return domain


def writer_domain(req: Request, usage: str) -> Domain | Outcome:
    """Return the domain a write-level command names, or the reply refusing or explaining it."""
    role = req.role()
    if not can_write(role):
        return denied(req, text.NEEDS_WRITE, role)
    return domain_argument(req, usage)


def accept(req: Request) -> Outcome:
    """Accept the PR's regression in a domain (write access or higher), then re-publish the check run."""
    domain = writer_domain(req, text.USAGE_ACCEPT)
    if isinstance(domain, Outcome):
        return domain
    reason = req.command.rest(1)
    if not reason:
        return Outcome("usage", text.REASON_REQUIRED.format(domain=domain.value))
    if len(reason) > REASON_LIMIT:
        return Outcome("usage", text.REASON_TOO_LONG.format(length=len(reason), limit=REASON_LIMIT))
    pull = req.pull()
    report, policy = audit_now(req, pull)
    if not result_of(report, domain).regressed:
        return Outcome("not-regressed", text.NOT_REGRESSED.format(domain=domain.value, sha=pull.head_sha[:12]))
    score, fingerprints = accept_state(report, domain)
    req.store.accept(Acceptance(domain, req.login, reason, now(), pull.head_sha, score, fingerprints))
    req.republish(pull)
    return Outcome("accepted", text.ACCEPTED.format(
        domain=domain.value, sha=pull.head_sha[:12], score="n/a" if score is None else f"{score:.1f}",
        login=req.login, reason=escape_untrusted(reason), severity=policy.gate.severity.value,
        tolerance=policy.gate.tolerance))


def revoke(req: Request) -> Outcome:
    """Withdraw a domain's acceptance (write access or higher), then re-publish the check run."""
    domain = writer_domain(req, text.USAGE_REVOKE)
    if isinstance(domain, Outcome):
        return domain
    pull = req.pull()
    withdrawn = req.store.revoke(domain, req.login, now(), pull.head_sha)
    if withdrawn is None:
        return Outcome("not-accepted", text.NOT_ACCEPTED.format(domain=domain.value))
    req.republish(pull)
    return Outcome("revoked", text.REVOKED.format(domain=domain.value, accepted_by=withdrawn.login))


def show_help(req: Request) -> Outcome:
    """Reply with the list of commands."""
    del req
    return Outcome("help", text.HELP.format(cooldown=COOLDOWN_SECONDS, domains=DOMAINS))


def unknown(req: Request) -> Outcome:
    """Refuse a subcommand Verity does not know."""
    return Outcome("unknown", text.UNKNOWN_COMMAND.format(name=escape_untrusted(req.command.name)))


COMMANDS: dict[str, Handler] = {
    "run": rerun,
    "explain": explain,
    "accept": accept,
    "revoke": revoke,
    "help": show_help,
}


def fetch_comment(gh: GitHubClient, job: CommentJob) -> dict[str, Any] | None:
    """Return the comment as GitHub has it now, or None when it was deleted."""
    try:
        comment = gh.rest("GET", f"/repos/{job.repo_full_name}/issues/comments/{job.comment_id}")
    except GitHubError as exc:
        if exc.status == 404:
            return None
        raise
    return comment if isinstance(comment, dict) else None


def react(gh: GitHubClient, job: CommentJob, content: str) -> None:
    """React to the command's comment (GitHub keeps one reaction of each kind per user)."""
    gh.rest("POST", f"/repos/{job.repo_full_name}/issues/comments/{job.comment_id}/reactions",
            json={"content": content})


def reply(gh: GitHubClient, job: CommentJob, body: str) -> None:
    """Post a comment on the pull request."""
    gh.rest("POST", f"/repos/{job.repo_full_name}/issues/{job.pr_number}/comments", json={"body": truncate(body)})


def handle_comment(rt: Runtime, job: CommentJob, task_id: str) -> str:
    """Act on a `/audit` comment: 👀 on receipt, then the command, then a reply or 👍."""
    with rt.github(job.installation_id) as gh:  # one HTTP client for the whole job
        return handle_with(rt, gh, job, task_id)


def handle_with(rt: Runtime, gh: GitHubClient, job: CommentJob, task_id: str) -> str:
    """Act on a `/audit` comment with a job's GitHub client; see `handle_comment`."""
    comment = fetch_comment(gh, job)
    if comment is None:
        return "gone"
    user: dict[str, Any] = comment["user"] if isinstance(comment.get("user"), dict) else {}
    command = parse(str(comment.get("body") or ""))
    if command is None or user.get("type") == "Bot":  # the receiver checked; the comment may have changed
        return "ignored"
    react(gh, job, text.EYES)
    req = Request(rt, gh, job, command, str(user.get("login", "")), task_id)
    try:
        outcome = COMMANDS.get(command.name, unknown)(req)
    except PolicyError as exc:
        outcome = Outcome("policy-error", text.POLICY_ERROR.format(error=escape_untrusted(str(exc))))
    except GitHubError as exc:  # GitHub refused for good (retriable errors go to the task's retries)
        outcome = Outcome("failed", text.COMMAND_FAILED.format(reason=escape_untrusted(str(exc))))
    if outcome.reply is None:
        react(gh, job, text.DONE)
    else:
        reply(gh, job, outcome.reply)
    log.info("command handled", extra={"delivery": job.delivery_id, "repo": job.repo_full_name, "pr": job.pr_number,
                                       "command": command.name, "status": outcome.status})
    return outcome.status
