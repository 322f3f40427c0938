"""Every key Verity keeps in Redis: its name, its shape and its TTL, in one table.

| Key | Shape | TTL | Module |
|---|---|---|---|
| `verity` (`app.github.job.QUEUE`) | list: Celery messages (protocol 2, JSON) | none | queue |
| `verity.{k}`, 0 < k < `VERITY_QUEUES` | list: jobs of the repositories `queue_for` routes to k | none | queue |
| `verity:delivery:{delivery id}` | string `1`: the delivery was queued | `DELIVERY_TTL` 7 d | queue |
| `verity:head:{repo}:{pr}` | string: the newest head SHA a webhook announced | `HEAD_TTL` 30 d | queue, state |
| `verity:job:{repo}:{pr}:{sha}:{policy digest}` | string: root task id of the claiming job | `JOB_TTL` 7 d | state |
| `verity:leases` | sorted set: task id -> lease deadline (epoch s), renewed by the task's heartbeat | none | leases |
| `verity:lease-jobs` | hash: task id -> the job to hand out again (task, kwargs, queue, root id) | none | leases |
| `verity:lease-holders` | hash: task id -> the process holding the lease (host:pid:nonce) | none | leases |
| `verity:lease-end:{task id}` | string `done`/`reaped`: the id never runs again | `LEASE_END_TTL` 2 h | leases |
| `verity:check:{repo}:{sha}:{check name}` | string: `{run id} {owner's external id}` | `CHECK_RUN_TTL` 30 d | state |
| `verity:check-create:{repo}:{sha}:{check name}` | string: who creates its first run | `CREATE_SECONDS` 30 s | state |
| `verity:annotations:{check run id}` | set: fingerprints already annotated | `CHECK_RUN_TTL` 30 d | state |
| `verity:installation:{installation id}` | set: repository ids the installation grants | none | state |
| `verity:accept:{repo}:{pr}` | hash: domain -> acceptance JSON | `ACCEPTANCE_TTL` 180 d* | acceptances |
| `verity:accept-trail:{repo}:{pr}` | list: trail entries, last `TRAIL_LIMIT` | `ACCEPTANCE_TTL` 180 d* | acceptances |
| `verity:rerun:{repo}:{pr}` | string: the comment holding the `/audit run` slot | `COOLDOWN_SECONDS` 30 s | ratelimit |
| `verity:facts:{cache key}` | string: zlib-compressed JSON of one file's facts | `FACTS_TTL` 30 d | facts |
| `verity:push-head:{repo}` | string: the newest default-branch head a push announced | `HEAD_TTL` 30 d | queue |
| `verity:push-job:{repo}:{sha}:{policy digest}` | string: the task that claimed a baseline | `JOB_TTL` 7 d | state |
| `verity:history:{repo}` | sorted set: audited SHAs by first-parent position | none** | history |
| `verity:history-scores:{repo}` | hash: SHA -> entry JSON (position, time, scores) | none** | history |
| `verity:repo:{repo}` | string: record JSON (name, URL, privacy, opt-in, latest table) | none** | history |
| `verity:repo-name:{owner/name, lower case}` | string: the repository id of a name | none** | history |

** deleted when the App loses access to the repository; the history keeps the last `HISTORY_LIMIT` commits.
* counted from the PR's last acceptance change. `{repo}` is the repository id, `{pr}` the PR number.
A check run's external id is `{repo}:{pr}:{sha}`, PR 0 for a default-branch baseline (a bare run id: owner unknown).
Celery's own bookkeeping keys (`unacked`, `unacked_index`, `_kombu.*`) belong to kombu's Redis transport.
"""

from __future__ import annotations

import zlib

PREFIX = "verity:"
DELIVERY_TTL = 7 * 24 * 3600  # GitHub lets a delivery be redelivered for days
HEAD_TTL = 30 * 24 * 3600
JOB_TTL = 7 * 24 * 3600
LEASES = f"{PREFIX}leases"
LEASE_JOBS = f"{PREFIX}lease-jobs"
LEASE_HOLDERS = f"{PREFIX}lease-holders"
LEASE_SECONDS = 30  # a lease not renewed for this long belongs to a dead worker; outlasts a Redis restart
LEASE_END_TTL = 2 * 3600  # longer than the broker's visibility timeout, so a late redelivery finds it
CHECK_RUN_TTL = 30 * 24 * 3600
CREATE_SECONDS = 30  # one job creates a head's first check run; others wait this long for it
ACCEPTANCE_TTL = 180 * 24 * 3600  # refreshed on every change; a PR open longer than this loses them
TRAIL_LIMIT = 200  # events kept per PR, newest last
COOLDOWN_SECONDS = 30  # one `/audit run` per PR per cooldown
FACTS_PREFIX = f"{PREFIX}facts:"
FACTS_TTL = 30 * 24 * 3600
HISTORY_LIMIT = 1_000  # default-branch commits kept per repository, the latest on the branch


def queue_for(repo_id: int, queues: int, base: str = "verity") -> str:
    """Return the queue of a repository's jobs: one of `queues` by a stable hash of its id (queue 0 is `base`).

    A repository always lands on the same queue, so the worker node consuming it keeps its mirror warm.
    """
    index = zlib.crc32(str(repo_id).encode()) % queues if queues > 1 else 0
    return base if index == 0 else f"{base}.{index}"


def all_queues(queues: int, base: str = "verity") -> list[str]:
    """Return the names of every queue jobs are routed to."""
    return [base if k == 0 else f"{base}.{k}" for k in range(max(queues, 1))]


def delivery_key(delivery_id: str) -> str:
    """Return the dedupe key of one webhook delivery."""
    return f"{PREFIX}delivery:{delivery_id}"


def latest_head_key(repo_id: int, pr_number: int) -> str:
    """Return the key holding the newest head SHA announced for a pull request."""
    return f"{PREFIX}head:{repo_id}:{pr_number}"


def job_key(repo_id: int, pr_number: int, head_sha: str, policy_digest: str) -> str:
    """Return the idempotency key of one audit: (repo, PR, head SHA, policy hash)."""
    return f"{PREFIX}job:{repo_id}:{pr_number}:{head_sha}:{policy_digest}"


def lease_end_key(task_id: str) -> str:
    """Return the key marking a task id as ended (done, or reaped and handed out again)."""
    return f"{PREFIX}lease-end:{task_id}"


def check_run_key(repo_id: int, head_sha: str, check_name: str) -> str:
    """Return the key holding the id of Verity's check run for one head SHA, and the job owning it."""
    return f"{PREFIX}check:{repo_id}:{head_sha}:{check_name}"


def check_create_key(repo_id: int, head_sha: str, check_name: str) -> str:
    """Return the key a job holds while it creates a head's first check run, so no other job creates one too."""
    return f"{PREFIX}check-create:{repo_id}:{head_sha}:{check_name}"


def annotations_key(check_run_id: int) -> str:
    """Return the set of annotation fingerprints already sent to a check run (they append)."""
    return f"{PREFIX}annotations:{check_run_id}"


def installation_key(installation_id: int) -> str:
    """Return the set of repository ids an installation grants."""
    return f"{PREFIX}installation:{installation_id}"


def acceptances_key(repo_id: int, pr_number: int) -> str:
    """Return the hash of a PR's accepted regressions, by domain."""
    return f"{PREFIX}accept:{repo_id}:{pr_number}"


def acceptance_trail_key(repo_id: int, pr_number: int) -> str:
    """Return the list of a PR's acceptance events (accepted, revoked, lapsed): the audit trail."""
    return f"{PREFIX}accept-trail:{repo_id}:{pr_number}"


def rerun_limit_key(repo_id: int, pr_number: int) -> str:
    """Return the key that rate-limits `/audit run` on a PR."""
    return f"{PREFIX}rerun:{repo_id}:{pr_number}"


def push_head_key(repo_id: int) -> str:
    """Return the key holding the newest default-branch head SHA a push announced."""
    return f"{PREFIX}push-head:{repo_id}"


def push_job_key(repo_id: int, head_sha: str, policy_digest: str) -> str:
    """Return the idempotency key of one baseline audit: (repo, head SHA, policy hash)."""
    return f"{PREFIX}push-job:{repo_id}:{head_sha}:{policy_digest}"


def history_key(repo_id: int) -> str:
    """Return the sorted set of a repository's audited default-branch commits, by first-parent position."""
    return f"{PREFIX}history:{repo_id}"


def history_scores_key(repo_id: int) -> str:
    """Return the hash of each audited default-branch commit's scores."""
    return f"{PREFIX}history-scores:{repo_id}"


def repo_key(repo_id: int) -> str:
    """Return the hash describing a repository whose default branch was audited."""
    return f"{PREFIX}repo:{repo_id}"


def repo_name_key(full_name: str) -> str:
    """Return the key mapping an `owner/name` (GitHub matches names in any case) to a repository id."""
    return f"{PREFIX}repo-name:{full_name.lower()}"
