"""The Celery app (`celery -A workers.celery_app worker`, or `verity worker`).

Importing this module reads no environment: the settings load the first time Celery reads its
configuration, through a lazy mapping.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from celery import Celery, bootsteps, signals
from celery.apps.worker import Worker as CommandLineWorker
from celery.apps.worker import _shutdown_handler, on_cold_shutdown
from celery.platforms import EX_FAILURE
from kombu.entity import Exchange, Queue

from app.github.job import QUEUE
from app.jobs.leases import Reaper, reaper_for
from app.logs import with_fields
from app.store.keys import all_queues
from config.settings import Settings, load_settings
from workers.tasks import register_tasks

TASK_SOFT_TIME_LIMIT = 840
TASK_TIME_LIMIT = 900
# Above the time limit plus the longest retry countdown, so Redis never hands a running job to a
# second worker. A job whose worker died does not wait for it: its lease lapses and a reaper queues
# it again within a minute (app.jobs.leases); the original message, redelivered after this long,
# finds its task id ended and does nothing.
VISIBILITY_TIMEOUT = 3600


def task_queues(count: int) -> list[Queue]:
    """Return the queues jobs are routed to, declared as Celery declares its default queue."""
    return [Queue(name, Exchange(name, type="direct"), routing_key=name)  # type: ignore[no-untyped-call]
            for name in all_queues(count, QUEUE)]


def celery_config(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Return the Celery configuration of Verity's workers."""
    config: dict[str, Any] = {
        "broker_url": settings.redis_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT},
        "task_default_queue": QUEUE,
        # Every queue jobs are routed to (one per repository hash, see `queue_for`); a worker node started
        # with `-Q verity.k` consumes only its share, one without `-Q` consumes them all.
        "task_queues": task_queues(settings.queues),
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "task_ignore_result": True,
        "result_backend": None,
        "task_time_limit": TASK_TIME_LIMIT,
        "task_soft_time_limit": TASK_SOFT_TIME_LIMIT,
        "worker_prefetch_multiplier": 1,
        # A stopped worker (SIGTERM, see ColdShutdownOnTerm) lets running jobs finish this long, then
        # cancels them and the Redis transport restores their messages to the queue.
        "worker_soft_shutdown_timeout": settings.soft_shutdown_seconds,
        "worker_enable_soft_shutdown_on_idle": False,
        "worker_hijack_root_logger": False,
        "task_serializer": "json",
        "accept_content": ["json"],
    }
    config.update(overrides)
    return config


class LazyConfig(Mapping[str, Any]):
    """Celery's configuration, computed from the environment the first time it is read."""

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        self._settings = settings
        self._overrides = overrides
        self._config: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        """Load the settings and build the configuration once."""
        if self._config is None:
            self._config = celery_config(self._settings or load_settings(), **self._overrides)
        return self._config

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class LeaseReaper(bootsteps.StartStopStep):  # type: ignore[misc]
    """Run a reaper thread in each worker: jobs whose lease lapsed are queued again within a minute."""

    requires: ClassVar[tuple[str, ...]] = ("celery.worker.components:Pool",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.reaper: Reaper | None = None

    def start(self, worker: Any) -> None:
        """Start this worker's reaper thread on the broker's Redis."""
        self.reaper = reaper_for(str(worker.app.conf.broker_url))
        self.reaper.start()

    def stop(self, worker: Any) -> None:
        """Stop the reaper thread with the worker."""
        if self.reaper is not None:
            self.reaper.stop()


class ColdShutdownOnTerm(bootsteps.StartStopStep):  # type: ignore[misc]
    """Make SIGTERM a soft-then-cold shutdown, as `REMAP_SIGTERM=SIGQUIT` would.

    Celery's SIGTERM is a warm shutdown that waits for every running job, however long: a deployment
    kills the worker at the end of its grace period and the jobs stay unacknowledged until the
    broker's visibility timeout. The cold shutdown waits `worker_soft_shutdown_timeout`, then
    cancels the jobs and returns their messages to the queue.
    """

    requires: ClassVar[tuple[str, ...]] = ("celery.worker.components:Pool",)

    def start(self, worker: Any) -> None:
        """Install the SIGTERM handler in a command-line worker."""
        if isinstance(worker, CommandLineWorker):  # never in a test's embedded worker
            _shutdown_handler(worker, sig="SIGTERM", how="Cold", callback=on_cold_shutdown, exitcode=EX_FAILURE)


def allow_children(**_: Any) -> None:
    """Let a prefork pool child start processes, so an audit it runs analyses files on every core.

    Billiard marks its pool children daemonic, and a daemonic process may not start children: the
    engine would analyse a cold audit's files serially there. A pool child is never left behind by a
    clean shutdown (billiard joins it), so the flag guards nothing Verity relies on; the engine's
    process pool is closed before the audit returns.
    """
    multiprocessing.current_process()._config["daemon"] = False  # type: ignore[attr-defined]


signals.worker_process_init.connect(allow_children, weak=False)


def log_fields(logger: Any = None, **_: Any) -> None:
    """Make the worker's log handlers show each record's fields (repository, PR, head, phase times)."""
    for handler in getattr(logger, "handlers", ()):
        with_fields(handler)


signals.after_setup_logger.connect(log_fields, weak=False)
signals.after_setup_task_logger.connect(log_fields, weak=False)


def create_celery_app(settings: Settings | None = None, **overrides: Any) -> Celery:
    """Return a Celery app with Verity's tasks and worker steps; its configuration loads lazily."""
    celery = Celery("verity", set_as_current=False)
    celery.config_from_object(LazyConfig(settings, **overrides))
    register_tasks(celery)
    celery.steps["worker"].add(LeaseReaper)
    celery.steps["worker"].add(ColdShutdownOnTerm)
    return celery


app = create_celery_app()


def run_worker(argv: Sequence[str] = ()) -> None:
    """Start a worker (`verity worker`); stop at start-up if a setting is missing."""
    from app.jobs.runtime import get_runtime

    get_runtime()
    app.worker_main(["worker", "--loglevel=INFO", *argv])
