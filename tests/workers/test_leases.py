"""Job leases on a real Redis: renewed while a job runs, handed out again once they lapse, never twice."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from app.github.job import AUDIT_TASK, QUEUE
from app.jobs import leases as job_leases
from app.jobs.leases import CONCLUDE_KEY, ENDED, MAX_REAPS, RUNNING_ELSEWHERE, Lease, acquire, reap_lapsed, run_leased
from app.store.client import TRANSIENT, connect
from app.store.keys import LEASES, lease_end_key
from app.store.leases import LeasedJob, Leases
from tests.e2e.services import RedisProcess, free_port
from workers.tasks import ON_ERROR, retry_later

JOB = LeasedJob(AUDIT_TASK, {"repo_id": 1, "pr_number": 2, "head_sha": "a" * 40}, QUEUE, "root-1")


def queued(db: redis.Redis) -> list[dict[str, Any]]:
    """Return the Celery messages waiting in the queue, oldest first: headers and kwargs."""
    found = []
    for raw in reversed(db.lrange(QUEUE, 0, -1)):
        message = json.loads(raw)
        kwargs = json.loads(base64.b64decode(message["body"]))[1]
        found.append({"id": message["headers"]["id"], "root_id": message["headers"]["root_id"], "kwargs": kwargs})
    return found


@pytest.fixture
def leases(db: redis.Redis) -> Leases:
    return Leases(db)


def test_a_lapsed_lease_is_handed_out_again_once_and_its_late_delivery_does_nothing(leases: Leases,
                                                                                      db: redis.Redis) -> None:
    lease = acquire(leases, "task-1", JOB)
    assert isinstance(lease, Lease)
    assert reap_lapsed(leases) == []  # still within its lease
    later = time.time() + job_leases.LEASE_SECONDS + 1
    [new_id] = reap_lapsed(leases, later)
    assert reap_lapsed(leases, later) == []  # handed out once
    [message] = queued(db)
    assert (message["id"], message["root_id"]) == (new_id, "root-1")  # claims stay under the root id
    assert message["kwargs"] == {**JOB.kwargs, job_leases.REAPED_KEY: 1}
    assert db.get(lease_end_key("task-1")) == b"reaped"
    assert acquire(leases, "task-1", JOB) == ENDED  # the original message, redelivered late
    lease.renew()
    assert not lease.held()  # the dead-seeming holder learns it lost the job


def test_a_job_handed_out_too_often_only_concludes(leases: Leases, db: redis.Redis) -> None:
    job = LeasedJob(AUDIT_TASK, {**JOB.kwargs, job_leases.REAPED_KEY: MAX_REAPS}, QUEUE, "root-1")
    acquire(leases, "task-1", job)
    reap_lapsed(leases, time.time() + job_leases.LEASE_SECONDS + 1)
    [message] = queued(db)
    assert message["kwargs"][CONCLUDE_KEY] == f"the worker running the audit stopped {MAX_REAPS} times"


def test_the_heartbeat_keeps_a_running_job_from_being_reaped(leases: Leases, db: redis.Redis,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(job_leases, "LEASE_SECONDS", 0.6)
    monkeypatch.setattr(job_leases, "HEARTBEAT_SECONDS", 0.1)
    reaped: list[str] = []

    def work(lease: Lease) -> str:
        for _ in range(10):  # 1.5 s, well past the 0.6 s lease, reaping all the while
            time.sleep(0.15)
            reaped.extend(reap_lapsed(leases))
        return "published" if lease.held() else "lost"

    assert run_leased(leases, "task-1", JOB, work) == "published"
    assert reaped == [] and queued(db) == []
    assert db.zscore(LEASES, "task-1") is None and db.get(lease_end_key("task-1")) == b"done"
    assert run_leased(leases, "task-1", JOB, work) == ENDED  # a redelivery after it finished


def test_a_job_that_dies_leaves_its_lease_to_the_reaper(leases: Leases, db: redis.Redis) -> None:
    def crash(lease: Lease) -> str:
        raise SystemExit(1)  # as far as the lease can tell, a killed process

    with pytest.raises(SystemExit):
        run_leased(leases, "task-1", JOB, crash)
    assert db.get(lease_end_key("task-1")) is None
    assert len(reap_lapsed(leases, time.time() + job_leases.LEASE_SECONDS + 1)) == 1


def test_a_live_holder_keeps_its_job_and_a_dead_one_is_taken_over_at_once(leases: Leases) -> None:
    first = acquire(leases, "task-1", JOB)
    assert isinstance(first, Lease)
    assert acquire(leases, "task-1", JOB) == RUNNING_ELSEWHERE  # e.g. restored by a broker reconnect
    assert leases.take("task-1", JOB, "other-host:1:x", 30) == f"held:{first.holder}"  # one atomic step
    dead = f"{job_leases.socket.gethostname()}:{2**22 + 17}:x"  # above pid_max: no such process
    leases.take("task-2", JOB, dead, 30)
    assert isinstance(acquire(leases, "task-2", JOB), Lease)  # a killed pool child's job, requeued


def test_a_redis_error_is_retried_like_a_github_5xx() -> None:
    for kind in TRANSIENT:
        assert next(handler for kinds, handler in ON_ERROR if issubclass(kind, kinds)) is retry_later


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(free_port(), data_dir=tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_worker_call_waits_out_a_redis_restart(restartable: RedisProcess) -> None:
    client = connect(restartable.url(0))
    client.set("verity:test", "kept")
    restartable.stop()
    threading.Timer(1.5, restartable.start).start()
    assert client.get("verity:test") == b"kept"  # waited in-process, then read the append-only file
    client.close()
