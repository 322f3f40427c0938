"""The push job: audit the default branch's newest head, post a neutral baseline check, add it to the history.

A burst of pushes audits only the newest head: a job whose commit is neither the newest head a push
announced nor the branch's head after the fetch concludes its check run as superseded.

A commit can reach the default branch already carrying a pull request's check run: a fast-forward
merge, or a PR whose head was pushed to the branch. Verity keeps one run per head SHA, and the PR's
verdict (its conclusion, summary and annotations) is the one its reviewers acted on, so a baseline
never starts, overwrites or concludes a run a PR's audit owns (its external id names a PR), whether
that run is completed or its audit is still under way (that audit finishes it): the baseline sends
it no update at all, not even a superseded, policy-error or error conclusion. The baseline is still
computed and recorded in the history, so the badge and the trend stay whole; the job then returns
"recorded" instead of "published". Who owns the run is read from Redis, or from GitHub's list of the
commit's check runs when Redis lost it, and read again just before completing, in case a PR's audit
adopted the run meanwhile (that audit completes it after us in any case, so its verdict is what stays).
The other way round, a PR's audit of a commit that already has a baseline run takes it over and
stamps it with its own external id.

Celery never appears here; `workers.tasks` wraps `audit_push` in a task shim.
"""

from __future__ import annotations

import logging

from app.engine.pipeline import load_policy_at
from app.engine.standing import Standing, standing
from app.github import text
from app.github.checks import BASELINE_PR, CheckRuns
from app.github.checks import external_id as run_external_id
from app.github.job import PushJob
from app.github.output import CheckOutput, baseline_output, message_output
from app.gitrepo.repo import GitError, GitRepo, GitSnapshot
from app.jobs.audit import has_commit
from app.jobs.runtime import Runtime
from app.report.history import RepoRecord, entry_from_standing, table_rows
from app.store.history import latest_push_head, record_commit
from app.store.keys import push_job_key
from app.store.state import RedisRunIds, RedisSentAnnotations, claim
from config.policy import Policy, PolicyError

log = logging.getLogger("verity.jobs")


def check_runs(rt: Runtime, job: PushJob, task_id: str = "") -> CheckRuns:
    """Return the check runs of the job's repository (`task_id` reserves the creation of a first run)."""
    return CheckRuns(rt.github(job.installation_id), job.repo_full_name, rt.settings.check_name,
                     RedisRunIds(rt.redis, job.repo_id, rt.settings.check_name), RedisSentAnnotations(rt.redis),
                     rt.settings.app_id, holder=task_id)


def audit_push(rt: Runtime, job: PushJob, task_id: str) -> str:
    """Audit the pushed head of the default branch, publish its baseline and record it; return what happened.

    "published": the check run and the history; "recorded": the history only, a PR's audit owning the
    commit's check run; "superseded", "policy-error": the check run only; "duplicate": nothing.
    """
    repo = rt.mirrors.fetch_branch(job.repo_id, job.clone_url, job.branch, rt.token(job.installation_id).value)
    branch_head = repo.resolve(f"refs/heads/{job.branch}")
    runs = check_runs(rt, job, task_id)
    if is_superseded(rt, job, branch_head):
        return conclude(runs, job, superseded_output(job, branch_head), "superseded")
    if not has_commit(repo, job.head_sha):
        raise GitError(f"head {job.head_sha} is not in the mirror")
    try:
        policy = load_policy_at(repo, job.head_sha)
    except PolicyError as exc:
        return conclude(runs, job, message_output("action_required", text.TITLE_POLICY_ERROR,
                                                  text.SUMMARY_POLICY_ERROR.format(error=exc)), "policy-error")
    if not claim(rt.redis, push_job_key(job.repo_id, job.head_sha, policy.digest()), task_id, job.force):
        log.info("duplicate job skipped", extra=job.log_fields())
        return "duplicate"
    run_id = runs.ensure_baseline(job.head_sha, external_id(job))
    if run_id is not None:
        runs.start(run_id)
    result = standing(GitSnapshot(repo, job.head_sha), policy, rt.facts)
    checked = publish(runs, job, baseline_output(result, job.branch))
    newest = record_commit(rt.redis, repo_record(job, policy, result, repo))
    log.info("baseline recorded", extra={**job.log_fields(), "overall": result.overall, "newest": newest,
                                         "check_run": checked})
    return "published" if checked else "recorded"


def is_superseded(rt: Runtime, job: PushJob, branch_head: str) -> bool:
    """Return whether a newer push replaced this head: announced since, and the branch has moved on.

    A forced job (someone re-ran this commit's check) audits the commit it names, however old.
    """
    if job.force:
        return False
    latest = latest_push_head(rt.redis, job.repo_id)
    return latest is not None and job.head_sha not in (latest, branch_head)


def superseded_output(job: PushJob, newer: str) -> CheckOutput:
    """Return the neutral check run of a head a newer push replaced before it was audited."""
    summary = text.SUMMARY_PUSH_SUPERSEDED.format(branch=job.branch.replace("`", ""), new_sha=newer[:12])
    return message_output("neutral", text.TITLE_SUPERSEDED, summary)


def conclude(runs: CheckRuns, job: PushJob, output: CheckOutput, outcome: str) -> str:
    """Complete the head's check run with a message (unless a PR's audit owns it); return the outcome."""
    publish(runs, job, output)
    log.info("baseline not audited", extra={**job.log_fields(), "outcome": outcome})
    return outcome


def publish(runs: CheckRuns, job: PushJob, output: CheckOutput) -> bool:
    """Complete the head's check run with the baseline's output; False when a PR's audit owns the run."""
    run_id = runs.ensure_baseline(job.head_sha, external_id(job))
    if run_id is None:
        log.info("check run left to its pull request", extra=job.log_fields())
        return False
    runs.complete(run_id, output)
    return True


def external_id(job: PushJob) -> str:
    """Return the id GitHub stores with the check run (`repo:0:sha`: PR 0 is the default branch)."""
    return run_external_id(job.repo_id, BASELINE_PR, job.head_sha)


def position(repo: GitRepo, sha: str) -> int:
    """Return how many commits the branch's first-parent line holds up to this one: the history's order.

    Commit times cannot order it: commits made in the same second, or rebased, tie or run backwards.
    """
    return int(repo.run(["rev-list", "--count", "--first-parent", sha]).decode().strip() or 0)


def committed_at(repo: GitRepo, sha: str) -> int:
    """Return a commit's committer time, in Unix seconds."""
    return int(repo.run(["show", "-s", "--format=%ct", sha]).decode().strip() or 0)


def repo_record(job: PushJob, policy: Policy, result: Standing, repo: GitRepo) -> RepoRecord:
    """Return the repository's record with this commit as its latest."""
    entry = entry_from_standing(result, position(repo, job.head_sha), committed_at(repo, job.head_sha))
    return RepoRecord(job.repo_id, job.repo_full_name, job.html_url, job.branch, job.private, policy.report.public,
                      entry, table_rows(result))
