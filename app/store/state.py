"""The audits' shared state in Redis: job claims, latest heads, check run ids, sent annotations, installations."""

from __future__ import annotations

import redis

from app.store.keys import (
    CHECK_RUN_TTL,
    CREATE_SECONDS,
    JOB_TTL,
    annotations_key,
    check_create_key,
    check_run_key,
    installation_key,
    latest_head_key,
)

# Take the key when free, or when it already names this task (a redelivery of a killed job).
CLAIM_SCRIPT = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] and ARGV[3] ~= '1' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


def claim(client: redis.Redis, key: str, task_id: str, force: bool) -> bool:
    """Claim a job's idempotency key for a task; False when another task already did this job."""
    return bool(client.eval(CLAIM_SCRIPT, 1, key, task_id, JOB_TTL, "1" if force else "0"))


def latest_head(client: redis.Redis, repo_id: int, pr_number: int) -> str | None:
    """Return the newest head SHA the receiver saw announced for a PR."""
    value = client.get(latest_head_key(repo_id, pr_number))
    return value.decode() if isinstance(value, bytes) else None


class RedisRunIds:
    """Check run ids per head SHA, each with the external id of the job owning it, for one repository and check name.

    Stored as `{run id} {external id}`; a bare run id (kept from before owners were recorded) reads
    back with an empty external id.
    """

    def __init__(self, client: redis.Redis, repo_id: int, check_name: str) -> None:
        self._redis = client
        self._repo_id = repo_id
        self._name = check_name

    def get(self, head_sha: str) -> tuple[int, str] | None:
        """Return the remembered check run id of a head SHA and its owner's external id ("" when unknown)."""
        value = self._redis.get(check_run_key(self._repo_id, head_sha, self._name))
        if not isinstance(value, bytes):
            return None
        run_id, _, external = value.decode(errors="replace").partition(" ")
        return (int(run_id), external.strip()) if run_id.isascii() and run_id.isdigit() else None

    def put(self, head_sha: str, run_id: int, external: str) -> None:
        """Remember the check run id of a head SHA and the external id of the job owning it."""
        value = f"{run_id} {external}" if external else str(run_id)
        self._redis.set(check_run_key(self._repo_id, head_sha, self._name), value, ex=CHECK_RUN_TTL)

    def reserve(self, head_sha: str, holder: str) -> bool:
        """Reserve creating a head SHA's first check run; False when another holder has the reservation.

        The holder (a job's root task id) may reserve again: its retry after a failed create must not
        wait for itself.
        """
        key = check_create_key(self._repo_id, head_sha, self._name)
        if self._redis.set(key, holder, nx=True, ex=CREATE_SECONDS):
            return True
        held = self._redis.get(key)
        return isinstance(held, bytes) and held.decode(errors="replace") == holder


class RedisSentAnnotations:
    """The annotation fingerprints each check run already carries."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def sent(self, run_id: int) -> set[str]:
        """Return the fingerprints already annotated on a check run."""
        return {m.decode() for m in self._redis.smembers(annotations_key(run_id))}  # type: ignore[union-attr]

    def add(self, run_id: int, fingerprints: list[str]) -> None:
        """Record fingerprints as annotated on a check run."""
        if fingerprints:
            pipe = self._redis.pipeline()
            pipe.sadd(annotations_key(run_id), *fingerprints)
            pipe.expire(annotations_key(run_id), CHECK_RUN_TTL)
            pipe.execute()


def record_installation_repos(client: redis.Redis, installation_id: int, deleted: bool, added: tuple[int, ...],
                              removed: tuple[int, ...]) -> None:
    """Keep the set of repository ids an installation grants; a deleted installation starts empty."""
    key = installation_key(installation_id)
    if deleted:
        client.delete(key)
    if added:
        client.sadd(key, *added)
    if removed:
        client.srem(key, *removed)
