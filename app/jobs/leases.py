"""Hold a job's lease while it runs, and hand out again the jobs whose lease stopped being renewed.

A task takes its lease first thing and a heartbeat thread renews it every few seconds; the lease
ends when the task is done, or is deferred to the retry that comes next. Any other way out (the
process killed, Redis gone longer than a task can wait, a shutdown past its grace) leaves the lease
to lapse, and a reaper in every worker queues the job again within `LEASE_SECONDS` plus
`REAP_INTERVAL`. Jobs are idempotent by (repo, PR, head, policy), claimed under their root task id,
so the job handed out again carries on where the dead one stopped and nothing is posted twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from app.store.client import TRANSIENT
from app.store.keys import LEASE_SECONDS
from app.store.leases import LeasedJob, Leases

log = logging.getLogger("verity.leases")

HEARTBEAT_SECONDS = LEASE_SECONDS / 6
REAP_INTERVAL = 5.0
MAX_REAPS = 3  # a job whose worker dies this often (an OOM kill on every try) concludes on error instead
REAPED_KEY = "reaped_times"  # kwargs: how many times the job's lease lapsed already
CONCLUDE_KEY = "conclude_reason"  # kwargs: set on a try that only has to conclude the check run
RUNNING_ELSEWHERE = "running-elsewhere"
ENDED = "ended"
HANDED_OVER = "handed-over"


def holder_id() -> str:
    """Return a new holder id naming this process: host, pid and a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def holder_alive(holder: str) -> bool:
    """Return whether a holder may still run: a process of this host that is gone is not."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another node: only its lapsing lease tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Lease:
    """A lease this process holds on one task id."""

    leases: Leases
    task_id: str
    holder: str
    lost: threading.Event = field(default_factory=threading.Event)

    def held(self) -> bool:
        """Return whether the lease is still ours (False once reaped or taken over)."""
        return not self.lost.is_set()

    def renew(self) -> None:
        """Push the deadline on; note when the lease was lost."""
        if not self.leases.renew(self.task_id, self.holder, LEASE_SECONDS):
            self.lost.set()

    def defer(self, countdown: float) -> None:
        """Hand the lease to the retry due in `countdown` seconds; it lapses if that retry never runs."""
        self.lost.set()  # stops the heartbeat from renewing it for us
        self.leases.defer(self.task_id, self.holder, countdown + LEASE_SECONDS)

    def end(self) -> None:
        """End the lease: this task id is done for good."""
        self.leases.end(self.task_id, self.holder)


def acquire(leases: Leases, task_id: str, job: LeasedJob) -> Lease | str:
    """Take a task's lease; return why not when a live holder runs it or the task id already ended.

    A message can reach a second worker while its first still runs it (the broker restores unacked
    messages when a connection drops): the lease, taken atomically, lets only one of them run. A
    holder known dead (a killed pool child of this host, whose message the worker requeued) is
    replaced at once; one of another host, only once its lease lapses.
    """
    holder = holder_id()
    outcome = leases.take(task_id, job, holder, LEASE_SECONDS)
    if outcome.startswith("held:"):
        other = outcome.removeprefix("held:")
        if holder_alive(other):
            return RUNNING_ELSEWHERE
        outcome = leases.take(task_id, job, holder, LEASE_SECONDS, dead=other)
    if outcome == "taken":
        return Lease(leases, task_id, holder)
    return RUNNING_ELSEWHERE if outcome.startswith("held:") else ENDED


def heartbeat(lease: Lease, stop: threading.Event) -> None:
    """Renew a lease until told to stop or the lease is lost; a Redis outage only skips beats."""
    while not stop.wait(HEARTBEAT_SECONDS) and lease.held():
        try:
            lease.renew()
        except TRANSIENT:
            log.warning("lease heartbeat missed", extra={"task": lease.task_id})


def run_leased(leases: Leases, task_id: str, job: LeasedJob, work: Callable[[Lease], str]) -> str:
    """Run work under a task's lease, renewed meanwhile; end the lease only when the work returns."""
    lease = acquire(leases, task_id, job)
    if isinstance(lease, str):
        log.info("task skipped", extra={"task": task_id, "why": lease})
        return lease
    stop = threading.Event()
    beat = threading.Thread(target=heartbeat, args=(lease, stop), name=f"lease-{task_id}", daemon=True)
    beat.start()
    try:
        result = work(lease)
    finally:
        stop.set()
    if lease.held():
        lease.end()
    return result


def handed_out_again(job: LeasedJob) -> LeasedJob:
    """Return the job to queue again for a lapsed lease: counted, and only concluded past MAX_REAPS."""
    times = int(job.kwargs.get(REAPED_KEY, 0)) + 1
    kwargs = {**job.kwargs, REAPED_KEY: times}
    if times > MAX_REAPS and not kwargs.get(CONCLUDE_KEY):
        kwargs[CONCLUDE_KEY] = f"the worker running the audit stopped {MAX_REAPS} times"
    return replace(job, kwargs=kwargs)


def reap_lapsed(leases: Leases, now: float | None = None) -> list[str]:
    """Queue again the job of every lapsed lease; return the new task ids."""
    queued = []
    for task_id in leases.lapsed(now):
        job = leases.job(task_id)
        if job is None:
            continue
        new_id = str(uuid.uuid4())
        if leases.reap(task_id, new_id, handed_out_again(job), now):
            log.warning("lapsed lease handed out again", extra={"task": task_id, "new_task": new_id})
            queued.append(new_id)
    return queued


class Reaper(threading.Thread):
    """A thread of a worker that hands out again, every few seconds, the jobs of lapsed leases."""

    def __init__(self, connect: Callable[[], Leases], interval: float = REAP_INTERVAL) -> None:
        super().__init__(name="verity-reaper", daemon=True)
        self._connect = connect
        self._interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Reap until stopped; Redis being away only skips a round."""
        leases = self._connect()
        while not self._stop_event.wait(self._interval):
            try:
                reap_lapsed(leases)
            except TRANSIENT:
                log.warning("reaper could not reach Redis")
            except Exception:  # a reaper that dies silently would leave checks in progress
                log.exception("reaper round failed")

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop_event.set()


def reaper_for(redis_url: str) -> Reaper:
    """Return a reaper with its own Redis client (a worker's main process builds no runtime)."""
    from app.store.client import connect

    return Reaper(lambda: Leases(connect(redis_url)))
