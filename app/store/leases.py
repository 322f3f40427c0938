"""Job leases: who runs which task now, renewed by a heartbeat, and handed out again when it lapses.

A task takes its lease when it starts, renews it while it runs, and ends it when it is done. A lease
whose deadline passed belongs to a dead worker (SIGKILL, a lost node, a pool child killed, a Redis
outage the task did not survive): a reaper re-enqueues its job under a new task id and marks the
old id as ended, so a late redelivery of the original message (after the broker's visibility
timeout, or restored at a shutdown) does nothing. Every change is one atomic script.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis

from app.store.keys import LEASE_END_TTL, LEASE_HOLDERS, LEASE_JOBS, LEASES, lease_end_key
from app.store.queue import task_message

# Take a task's lease unless the task id already ended (done, or reaped and handed out again) or a
# holder other than ARGV[6] (one the caller found dead) holds it before its deadline (ARGV[5] is now).
TAKE_SCRIPT = """
if redis.call('EXISTS', KEYS[4]) == 1 then return redis.call('GET', KEYS[4]) end
local held = redis.call('HGET', KEYS[3], ARGV[1])
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if held and deadline and tonumber(deadline) > tonumber(ARGV[5]) and held ~= ARGV[6] then
  return 'held:' .. held
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
return 'taken'
"""

# Push the deadline on, while the lease is still this holder's.
RENEW_SCRIPT = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[3] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
return 1
"""

# Let go of a lease for a retry that comes later under the same task id: no holder, a later deadline.
DEFER_SCRIPT = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[3] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""

# End a lease this holder has: the task id will never run again.
END_SCRIPT = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], 'done', 'EX', ARGV[3])
return 1
"""

# Hand a lapsed lease's job out again: only if its deadline is still past, so a renewal wins a race.
REAP_SCRIPT = """
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not deadline or tonumber(deadline) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], 'reaped', 'EX', ARGV[3])
redis.call('LPUSH', KEYS[5], ARGV[4])
return 1
"""


@dataclass(frozen=True)
class LeasedJob:
    """What a lease remembers to hand its job out again: the task, its kwargs, its queue, its root id."""

    task: str
    kwargs: dict[str, Any]
    queue: str
    root_id: str

    def to_json(self) -> str:
        """Return the job as stored."""
        return json.dumps({"task": self.task, "kwargs": self.kwargs, "queue": self.queue, "root_id": self.root_id},
                          sort_keys=True)

    @classmethod
    def from_json(cls, raw: object) -> LeasedJob | None:
        """Rebuild a stored job, or None when it is unreadable."""
        try:
            data = json.loads(raw) if isinstance(raw, (bytes, str)) else {}
            return cls(str(data["task"]), dict(data["kwargs"]), str(data["queue"]), str(data["root_id"]))
        except (ValueError, KeyError, TypeError):
            return None


class Leases:
    """The job leases in one Redis database."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def _keys(self, task_id: str) -> list[str]:
        """Return the keys a lease script touches for one task id."""
        return [LEASES, LEASE_JOBS, LEASE_HOLDERS, lease_end_key(task_id)]

    def take(self, task_id: str, job: LeasedJob, holder: str, seconds: float, dead: str = "") -> str:
        """Take a task's lease (even from the `dead` holder); return "taken", "held:{holder}" or "done"/"reaped".

        "held:{holder}": another holder has it until its deadline; "done"/"reaped": the task id ended.
        """
        now = time.time()
        result = self._redis.eval(TAKE_SCRIPT, 4, *self._keys(task_id), task_id, now + seconds, job.to_json(), holder,
                                  now, dead)
        return result.decode() if isinstance(result, bytes) else str(result)

    def renew(self, task_id: str, holder: str, seconds: float) -> bool:
        """Push a lease's deadline on; False when the holder lost it (it was reaped or taken over)."""
        return bool(self._redis.eval(RENEW_SCRIPT, 2, LEASES, LEASE_HOLDERS, task_id, time.time() + seconds, holder))

    def defer(self, task_id: str, holder: str, seconds: float) -> bool:
        """Release a lease to a retry of the same task id due within `seconds`; it is reaped if none comes."""
        return bool(self._redis.eval(DEFER_SCRIPT, 2, LEASES, LEASE_HOLDERS, task_id, time.time() + seconds, holder))

    def end(self, task_id: str, holder: str) -> bool:
        """End a lease for good: a later delivery of this task id does nothing."""
        return bool(self._redis.eval(END_SCRIPT, 4, *self._keys(task_id), task_id, holder, LEASE_END_TTL))

    def lapsed(self, now: float | None = None, limit: int = 100) -> list[str]:
        """Return the task ids whose lease deadline passed."""
        found = self._redis.zrangebyscore(LEASES, "-inf", now or time.time(), start=0, num=limit)
        return [t.decode() if isinstance(t, bytes) else str(t) for t in found]

    def job(self, task_id: str) -> LeasedJob | None:
        """Return the job a lease would hand out again."""
        return LeasedJob.from_json(self._redis.hget(LEASE_JOBS, task_id))

    def reap(self, task_id: str, new_task_id: str, job: LeasedJob, now: float | None = None) -> bool:
        """Queue a lapsed lease's job again under a new task id; False when the lease was renewed meanwhile."""
        message = task_message(job.task, job.kwargs, job.queue, new_task_id, root_id=job.root_id)
        keys = [*self._keys(task_id), job.queue]
        return bool(self._redis.eval(REAP_SCRIPT, 5, *keys, task_id, now or time.time(), LEASE_END_TTL, message))
