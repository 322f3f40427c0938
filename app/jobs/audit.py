"""The audit job: fetch a PR head, audit it under its acceptances, publish, or mark it superseded.

Celery never appears here; `workers.tasks` wraps `audit_pull_request` and `conclude_on_error` in a task shim.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.engine.pipeline import load_policy_at
from app.engine.report import Report
from app.github import text
from app.github.checks import BASELINE_PR, CheckRuns, external_id
from app.github.client import GitHubClient
from app.github.job import AuditJob
from app.github.output import message_output, report_output
from app.github.review import Reviews, plan_comments
from app.gitrepo.repo import GitError, GitRepo
from app.jobs.acceptances import audit_head, with_trail
from app.jobs.runtime import Runtime
from app.store.acceptances import AcceptanceStore
from app.store.keys import job_key
from app.store.state import RedisRunIds, RedisSentAnnotations, claim, latest_head
from config.policy import Policy, PolicyError, default_policy

log = logging.getLogger("verity.jobs")


@dataclass
class Context:
    """One job's GitHub client and check runs."""

    job: AuditJob
    gh: GitHubClient
    runs: CheckRuns

    @property
    def external_id(self) -> str:
        """Return the id GitHub stores with the check run, to trace it back to the job."""
        return external_id(self.job.repo_id, self.job.pr_number, self.job.head_sha)

    def own_run(self) -> int | None:
        """Return the head's check run this job may write: a PR's audit takes any, a baseline none a PR owns."""
        if self.job.pr_number == BASELINE_PR:  # a push job's error path (`PushJob.as_audit_job`)
            return self.runs.ensure_baseline(self.job.head_sha, self.external_id)
        return self.runs.ensure(self.job.head_sha, self.external_id)


def context(rt: Runtime, job: AuditJob, claim_id: str = "") -> Context:
    """Return the GitHub client and check runs of a job (`claim_id`: its root task id, when it has one)."""
    gh = rt.github(job.installation_id)
    runs = CheckRuns(gh, job.repo_full_name, rt.settings.check_name,
                     RedisRunIds(rt.redis, job.repo_id, rt.settings.check_name),
                     RedisSentAnnotations(rt.redis), rt.settings.app_id, holder=claim_id)
    return Context(job, gh, runs)


def always_held() -> bool:
    """Return True: a job run outside a lease (tests, tools) always holds it."""
    return True


def audit_pull_request(rt: Runtime, job: AuditJob, claim_id: str, held: Callable[[], bool] = always_held) -> str:
    """Audit one PR head and publish the check run and the review; return what happened.

    `claim_id` is the job's root task id, the same for its retries and for a copy handed out again
    after its worker died; `held` says whether this run still holds the job's lease (a run that lost
    it to a copy publishes nothing).
    """
    ctx = context(rt, job, claim_id)
    with ctx.gh:  # one HTTP client for the whole job
        return audit_in(rt, ctx, claim_id, held)


def audit_in(rt: Runtime, ctx: Context, claim_id: str, held: Callable[[], bool]) -> str:
    """Audit one PR head with a job's context; see `audit_pull_request`."""
    job = ctx.job
    took = Durations()
    run_id = ctx.runs.ensure(job.head_sha, ctx.external_id)  # shown queued at once, before any fetch
    newer = superseding_head(rt, ctx)
    if newer:
        return mark_superseded(ctx, newer)
    repo = rt.mirrors.fetch(job.repo_id, job.clone_url, job.base_ref, job.pr_number,
                            rt.token(job.installation_id).value)
    took.lap("fetch_s")
    base_sha = repo.resolve(f"refs/heads/{job.base_ref}")
    if not has_commit(repo, job.head_sha):
        newer = current_head(ctx)
        if newer != job.head_sha:
            return mark_superseded(ctx, newer)
        raise GitError(f"head {job.head_sha} is not in the mirror")
    merge_base = repo.merge_base(base_sha, job.head_sha)
    try:
        policy = load_policy_at(repo, merge_base)
    except PolicyError as exc:
        conclude(ctx, "action_required", text.TITLE_POLICY_ERROR, text.SUMMARY_POLICY_ERROR.format(error=exc))
        return "policy-error"
    if not claim(rt.redis, job_key(job.repo_id, job.pr_number, job.head_sha, policy.digest()), claim_id, job.force):
        log.info("duplicate job skipped", extra=job.log_fields())
        return "duplicate"
    ctx.runs.start(run_id)
    store = AcceptanceStore(rt.redis, job.repo_id, job.pr_number)
    report = audit_head(rt, store, repo, (base_sha, job.head_sha), policy)
    took.lap("audit_s")
    newer = superseding_head(rt, ctx)
    if newer:
        return mark_superseded(ctx, newer)
    if not held():
        log.warning("lease lost: a copy of the job publishes instead", extra=job.log_fields())
        return "handed-over"
    publish(ctx, repo, merge_base, policy, report, run_id, store)
    took.lap("publish_s")
    log.info("audit published", extra={**job.log_fields(), "passed": report.passed, **took.laps})
    return "published"


class Durations:
    """The seconds each phase of a job took, for its log line: where a slow audit spent its time."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = self._started = time.monotonic()

    def lap(self, name: str) -> None:
        """Record the time since the previous lap under a name, and the total so far."""
        now = time.monotonic()
        self.laps[name] = round(now - self._last, 3)
        self.laps["total_s"] = round(now - self._started, 3)
        self._last = now


def publish(ctx: Context, repo: GitRepo, merge_base: str, policy: Policy, report: Report, run_id: int,
            store: AcceptanceStore) -> None:
    """Post the review, complete the check run (with the acceptance trail), then resolve fixed threads."""
    reviews = Reviews(ctx.gh, ctx.job.repo_full_name, ctx.job.pr_number)
    commented = reviews.commented_fingerprints()
    overflow = 0
    limit = policy.review.max_comments
    if policy.review.comments:
        diff = repo.diff(merge_base, ctx.job.head_sha)
        planned, overflow = plan_comments(report, diff, commented, limit)
        if planned and not reviews.reviewed(ctx.job.head_sha):
            reviews.post(ctx.job.head_sha, planned, overflow, limit)
    output = report_output(report, (overflow, limit), link_base=ctx.job.web_url)
    ctx.runs.complete(run_id, with_trail(output, store))
    still_new = {f.fingerprint for f in report.new_findings()}
    if commented - still_new:
        reviews.resolve_fixed(still_new)


def has_commit(repo: GitRepo, sha: str) -> bool:
    """Return whether the mirror holds a commit."""
    try:
        return repo.resolve(sha) == sha
    except GitError:
        return False


def current_head(ctx: Context) -> str:
    """Return the PR's head SHA as GitHub has it now."""
    pull = ctx.gh.rest("GET", f"/repos/{ctx.job.repo_full_name}/pulls/{ctx.job.pr_number}")
    return str(pull["head"]["sha"])


def superseding_head(rt: Runtime, ctx: Context) -> str | None:
    """Return the newer head this job's SHA was replaced by, confirmed with GitHub, or None."""
    latest = latest_head(rt.redis, ctx.job.repo_id, ctx.job.pr_number)
    if latest is None or latest == ctx.job.head_sha:
        return None
    head = current_head(ctx)
    return head if head != ctx.job.head_sha else None


def mark_superseded(ctx: Context, newer: str) -> str:
    """Conclude this head's check run as superseded by a newer push."""
    conclude(ctx, "neutral", text.TITLE_SUPERSEDED, text.SUMMARY_SUPERSEDED.format(new_sha=newer[:12]))
    log.info("superseded", extra={**ctx.job.log_fields(), "newer": newer[:12]})
    return "superseded"


def conclude(ctx: Context, conclusion: str, title: str, summary: str) -> None:
    """Complete this head's check run with a message and no annotations (never a PR's run, for a baseline)."""
    run_id = ctx.own_run()
    if run_id is None:
        log.info("check run left to its pull request", extra=ctx.job.log_fields())
        return
    ctx.runs.complete(run_id, message_output(conclusion, title, summary))


def conclude_on_error(rt: Runtime, job: AuditJob, reason: str) -> None:
    """Complete the check run with the policy's `gate.on_error`, after retries ran out."""
    if not job.head_sha:
        log.warning("command failed before its head was known", extra={**job.log_fields(), "reason": reason})
        return
    conclusion = on_error_policy(rt, job).gate.on_error
    ctx = context(rt, job)
    conclude(ctx, conclusion, text.TITLE_ERROR, text.SUMMARY_ERROR.format(conclusion=conclusion, reason=reason))
    log.warning("audit concluded on error", extra={**job.log_fields(), "reason": reason})


def on_error_policy(rt: Runtime, job: AuditJob) -> Policy:
    """Return the base policy if the mirror can still tell it, else the defaults."""
    path = rt.mirrors.path(job.repo_id)
    if not path.is_dir():
        return default_policy()
    repo = GitRepo(path)
    try:
        return load_policy_at(repo, repo.merge_base(repo.resolve(f"refs/heads/{job.base_ref}"), job.head_sha))
    except (GitError, PolicyError):
        return default_policy()

