"""Enqueue jobs from the receiver: delivery dedupe and the Celery message in one Redis script.

The message is Celery's protocol 2 as kombu's Redis transport stores it, built here so the web
process needs neither a Celery app nor a kombu connection. The dedupe key, the message and the
PR's latest head are written by one Lua script, atomically: either the delivery is recorded and
its job queued, or neither (so a redelivery after a failure is never swallowed). Scripts of
concurrent requests share one pipeline round trip per event-loop turn.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import uuid
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from app.github.job import QUEUE, TASK_OF, Job
from app.store.keys import DELIVERY_TTL, HEAD_TTL, delivery_key, queue_for

ENQUEUE_SCRIPT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
if #KEYS > 2 then redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4]) end
return 1
"""

_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
_DELIVERY_TTL = str(DELIVERY_TTL).encode()
_HEAD_TTL = str(HEAD_TTL).encode()
_ORIGIN = f"gen{os.getpid()}@{socket.gethostname()}"


def task_message(task: str, kwargs: dict[str, Any], queue: str = QUEUE, task_id: str | None = None,
                 root_id: str | None = None) -> bytes:
    """Return the JSON a Celery worker on the Redis transport consumes for one task call."""
    task_id = task_id or str(uuid.uuid4())
    root_id = root_id or task_id
    body = orjson.dumps([[], kwargs, _EMBED])
    headers: dict[str, Any] = {
        "lang": "py", "task": task, "id": task_id, "shadow": None, "eta": None, "expires": None,
        "group": None, "group_index": None, "retries": 0, "timelimit": [None, None],
        "root_id": root_id, "parent_id": None, "argsrepr": "()", "kwargsrepr": repr(kwargs)[:1024],
        "origin": _ORIGIN, "ignore_result": True, "replaced_task_nesting": 0,
        "stamped_headers": None, "stamps": {},
    }
    properties = {
        "correlation_id": task_id, "reply_to": "", "delivery_mode": 2,
        "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0,
        "body_encoding": "base64", "delivery_tag": task_id,
    }
    return orjson.dumps({
        "body": base64.b64encode(body).decode(), "content-encoding": "utf-8",
        "content-type": "application/json", "headers": headers, "properties": properties,
    })


Call = tuple[list[str], list[Any], "asyncio.Future[Any]"]


class ScriptBatcher:
    """Run the enqueue script for concurrent requests in one pipeline per event-loop turn."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._pending: list[Call] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, keys: list[str], args: list[Any]) -> Any:
        """Run the script once with these keys and arguments, batched with its neighbours."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((keys, args, future))
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_soon(self._flush_soon)
        return await future

    def _flush_soon(self) -> None:
        """Start sending what has gathered."""
        batch, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._flush(batch))
        self._tasks.add(task)  # keep a reference until done, or the loop may drop it
        task.add_done_callback(self._tasks.discard)

    async def _flush(self, batch: list[Call]) -> None:
        """Send one pipeline and hand each caller its own result or error."""
        try:
            pipe = self._client.pipeline(transaction=False)
            for keys, args, _ in batch:
                pipe.eval(ENQUEUE_SCRIPT, len(keys), *keys, *args)
            results = await pipe.execute(raise_on_error=False)
        except (RedisError, OSError) as exc:
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)


class Enqueuer:
    """Dedupe a delivery and queue its job, atomically."""

    def __init__(self, batcher: ScriptBatcher, queue: str = QUEUE, queues: int = 1) -> None:
        self._batcher = batcher
        self._queue = queue
        self._queues = queues

    def queue_of(self, job: Job) -> str:
        """Return the queue of a job: its repository's, when jobs are spread over several queues."""
        repo_id = getattr(job, "repo_id", None)
        return queue_for(repo_id, self._queues, self._queue) if isinstance(repo_id, int) else self._queue

    async def enqueue(self, delivery_id: str, job: Job, head_key: str = "", head_sha: str = "") -> bool:
        """Queue the job unless the delivery was seen; return whether it was queued."""
        queue = self.queue_of(job)
        message = task_message(TASK_OF[type(job)], job.to_json(), queue)
        keys = [delivery_key(delivery_id), queue]
        args: list[Any] = [_DELIVERY_TTL, message]
        if head_key:
            keys.append(head_key)
            args += [head_sha, _HEAD_TTL]
        return bool(await self._batcher.run(keys, args))
