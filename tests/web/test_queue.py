"""The receiver's enqueue path against a real Redis: Celery's message format, atomic dedupe, batched scripts."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
import redis
import redis.asyncio as aioredis
from celery import Celery
from kombu.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from app.github.job import AUDIT_TASK, COMMENT_TASK, INSTALLATION_TASK, QUEUE, AuditJob, CommentJob, InstallationJob
from app.store.keys import DELIVERY_TTL, HEAD_TTL, delivery_key, latest_head_key
from app.store.queue import Enqueuer, ScriptBatcher, task_message
from tests.e2e.services import RedisProcess, clear, free_port
from tests.web.conftest import WEB_DB

T = TypeVar("T")
JOB = AuditJob(installation_id=5, repo_id=11, repo_full_name="octo/demo", pr_number=7, head_sha="a" * 40,
               base_ref="main", clone_url="https://github.com/octo/demo.git", delivery_id="d-1")
HEAD_KEY = latest_head_key(11, 7)


class CountingRedis(aioredis.Redis):
    """A real asyncio Redis client that counts the pipelines it opens (one per round trip here)."""

    pipelines = 0

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        self.pipelines += 1
        return super().pipeline(transaction=transaction, shard_hint=shard_hint)


@pytest.fixture
def url(web_redis: RedisProcess) -> Iterator[str]:
    db_url = web_redis.url(WEB_DB)
    clear(db_url)
    yield db_url
    clear(db_url)


def run_with(url: str, work: Callable[[CountingRedis], Awaitable[T]]) -> T:
    """Run a coroutine against a fresh client on its own event loop, closing the client after."""
    async def main() -> T:
        client = CountingRedis.from_url(url, socket_connect_timeout=1.0)
        assert isinstance(client, CountingRedis)
        try:
            return await work(client)
        finally:
            await client.aclose()
    return asyncio.run(main())


def queued(url: str, queue: str = QUEUE) -> list[dict[str, Any]]:
    """Return the messages waiting in a queue, oldest first."""
    return [json.loads(m) for m in reversed(redis.Redis.from_url(url).lrange(queue, 0, -1))]


def test_the_message_has_the_shape_celery_s_own_producer_gives_it() -> None:
    kwargs = JOB.to_json()
    ours = json.loads(task_message(AUDIT_TASK, kwargs, task_id="t-1"))
    theirs = Celery("reference", set_as_current=False).amqp.as_task_v2("t-1", AUDIT_TASK, args=(), kwargs=kwargs)
    assert set(ours["headers"]) == set(theirs.headers)
    for name in ("lang", "task", "id", "root_id", "parent_id", "retries", "argsrepr", "kwargsrepr", "eta"):
        assert ours["headers"][name] == theirs.headers[name], name
    assert json.loads(base64.b64decode(ours["body"])) == json.loads(json.dumps(theirs.body))
    assert (ours["content-type"], ours["content-encoding"]) == ("application/json", "utf-8")
    assert ours["properties"]["correlation_id"] == ours["properties"]["delivery_tag"] == "t-1"
    assert ours["properties"]["delivery_info"] == {"exchange": "", "routing_key": QUEUE}
    assert ours["headers"]["ignore_result"] is True


def test_every_message_gets_a_fresh_id_and_a_bounded_kwargs_repr() -> None:
    first, second = (json.loads(task_message(AUDIT_TASK, {"x": 1})) for _ in range(2))
    assert first["headers"]["id"] != second["headers"]["id"]
    assert first["headers"]["root_id"] == first["headers"]["id"]
    huge = json.loads(task_message(AUDIT_TASK, {"x": "y" * 5000}, queue="other"))
    assert len(huge["headers"]["kwargsrepr"]) == 1024
    assert huge["properties"]["delivery_info"]["routing_key"] == "other"


@pytest.mark.parametrize(("job", "task"), [
    (JOB, AUDIT_TASK),
    (CommentJob(5, 11, "octo/demo", 7, 99, "https://github.com/octo/demo.git", "d-1"), COMMENT_TASK),
    (InstallationJob(5, "created", (1, 2), (), "d-1"), INSTALLATION_TASK),
])
def test_kombu_s_redis_transport_reads_back_each_job_s_task_and_arguments(url: str, job: Any, task: str) -> None:
    assert run_with(url, lambda client: Enqueuer(ScriptBatcher(client)).enqueue("d-1", job))
    with Connection(url) as connection:  # type: ignore[no-untyped-call]
        message = connection.default_channel.basic_get(QUEUE, no_ack=True)
        assert message is not None, "nothing in the queue"
        assert message.headers["task"] == task
        args, kwargs, _ = message.decode()
    assert (args, kwargs) == ([], job.to_json())


def test_a_delivery_is_queued_once_and_records_the_head_with_expiries(url: str) -> None:
    async def twice(client: CountingRedis) -> list[bool]:
        enqueuer = Enqueuer(ScriptBatcher(client))
        first = await enqueuer.enqueue("d-1", JOB, HEAD_KEY, JOB.head_sha)
        again = await enqueuer.enqueue("d-1", JOB, HEAD_KEY, "f" * 40)
        return [first, again]

    assert run_with(url, twice) == [True, False]
    [message] = queued(url)
    assert message["headers"]["task"] == AUDIT_TASK
    client = redis.Redis.from_url(url)
    # The duplicate changed nothing: not the queue, and not the head.
    assert client.get(HEAD_KEY) == JOB.head_sha.encode()
    assert DELIVERY_TTL - 5 < client.ttl(delivery_key("d-1")) <= DELIVERY_TTL
    assert HEAD_TTL - 5 < client.ttl(HEAD_KEY) <= HEAD_TTL


def test_without_a_head_key_no_head_is_written(url: str) -> None:
    assert run_with(url, lambda client: Enqueuer(ScriptBatcher(client)).enqueue("d-2", JOB))
    client = redis.Redis.from_url(url)
    assert client.llen(QUEUE) == 1 and not client.exists(HEAD_KEY)


def test_an_enqueuer_writes_to_its_own_queue(url: str) -> None:
    assert run_with(url, lambda client: Enqueuer(ScriptBatcher(client), queue="verity-low").enqueue("d-3", JOB))
    assert queued(url) == [] and len(queued(url, "verity-low")) == 1


def test_concurrent_requests_share_one_pipeline_and_keep_their_own_answers(url: str) -> None:
    ids = ["d-a", "d-b", "d-a", "d-c", "d-b"]

    async def burst(client: CountingRedis) -> tuple[list[bool], int]:
        enqueuer = Enqueuer(ScriptBatcher(client))
        answers = await asyncio.gather(*(enqueuer.enqueue(i, JOB) for i in ids))
        return list(answers), client.pipelines

    answers, pipelines = run_with(url, burst)
    assert answers == [True, True, False, True, False]  # scripts run in arrival order
    assert pipelines == 1
    assert len(queued(url)) == 3


def test_requests_in_later_turns_get_their_own_pipeline(url: str) -> None:
    async def apart(client: CountingRedis) -> int:
        enqueuer = Enqueuer(ScriptBatcher(client))
        for delivery_id in ("d-x", "d-y", "d-z"):
            await enqueuer.enqueue(delivery_id, JOB)
        return client.pipelines

    assert run_with(url, apart) == 3


def test_a_failing_script_fails_only_its_own_caller(url: str) -> None:
    redis.Redis.from_url(url).set("verity-broken", "not a list")

    async def mixed(client: CountingRedis) -> list[object]:
        batcher = ScriptBatcher(client)
        return list(await asyncio.gather(Enqueuer(batcher, queue="verity-broken").enqueue("d-bad", JOB),
                                         Enqueuer(batcher).enqueue("d-good", JOB), return_exceptions=True))

    bad, good = run_with(url, mixed)
    assert isinstance(bad, ResponseError) and "WRONGTYPE" in str(bad)
    assert good is True
    assert len(queued(url)) == 1


def test_an_unreachable_redis_fails_every_waiting_caller() -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"

    async def burst(client: CountingRedis) -> list[object]:
        enqueuer = Enqueuer(ScriptBatcher(client))
        return list(await asyncio.gather(enqueuer.enqueue("d-1", JOB), enqueuer.enqueue("d-2", JOB),
                                         return_exceptions=True))

    answers = run_with(down, burst)
    assert len(answers) == 2
    assert all(isinstance(a, RedisConnectionError) for a in answers), answers
