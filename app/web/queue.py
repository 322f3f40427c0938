"""Enqueue jobs from the receiver: delivery dedupe and the Celery message in one Redis round trip.

The message is Celery's protocol 2 as kombu's Redis transport stores it, built here so the web
process needs neither a Celery app nor a kombu connection. The dedupe key, the message and the
PR's latest head are written by one Lua script, atomically: either the delivery is recorded and
its job queued, or neither (so a redelivery after a failure is never swallowed).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from typing import Any, Protocol

from app.github.job import QUEUE, TASK_OF, Job
from app.github.keys import DELIVERY_TTL, HEAD_TTL, delivery_key

ENQUEUE_SCRIPT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
if #KEYS > 2 then redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4]) end
return 1
"""

_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


class Script(Protocol):
    """A registered Lua script of redis.asyncio."""

    async def __call__(self, keys: list[str], args: list[str | int]) -> Any:
        """Run the script."""
        ...


def task_message(task: str, kwargs: dict[str, Any], queue: str = QUEUE, task_id: str | None = None) -> str:
    """Return the JSON a Celery worker on the Redis transport consumes for one task call."""
    task_id = task_id or str(uuid.uuid4())
    body = json.dumps([[], kwargs, _EMBED], separators=(",", ":")).encode()
    headers: dict[str, Any] = {
        "lang": "py", "task": task, "id": task_id, "shadow": None, "eta": None, "expires": None,
        "group": None, "group_index": None, "retries": 0, "timelimit": [None, None],
        "root_id": task_id, "parent_id": None, "argsrepr": "()", "kwargsrepr": repr(kwargs)[:1024],
        "origin": _ORIGIN, "ignore_result": True, "replaced_task_nesting": 0,
        "stamped_headers": None, "stamps": {},
    }
    properties = {
        "correlation_id": task_id, "reply_to": "", "delivery_mode": 2,
        "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0,
        "body_encoding": "base64", "delivery_tag": str(uuid.uuid4()),
    }
    return json.dumps({
        "body": base64.b64encode(body).decode(), "content-encoding": "utf-8",
        "content-type": "application/json", "headers": headers, "properties": properties,
    })


_ORIGIN = f"gen{os.getpid()}@{socket.gethostname()}"


class Enqueuer:
    """Dedupe a delivery and queue its job, atomically, through a registered Lua script."""

    def __init__(self, script: Script, queue: str = QUEUE) -> None:
        self._script = script
        self._queue = queue

    async def enqueue(self, delivery_id: str, job: Job, head_key: str = "", head_sha: str = "") -> bool:
        """Queue the job unless the delivery was seen; return whether it was queued."""
        message = task_message(TASK_OF[type(job)], job.to_json(), self._queue)
        keys = [delivery_key(delivery_id), self._queue]
        args: list[str | int] = [DELIVERY_TTL, message]
        if head_key:
            keys.append(head_key)
            args += [head_sha, HEAD_TTL]
        return bool(await self._script(keys=keys, args=args))
