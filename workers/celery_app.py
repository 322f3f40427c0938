"""The Celery app (`celery -A workers.celery_app worker`, or `verity worker`).

Importing this module reads no environment: the settings load the first time Celery reads its
configuration, through a lazy mapping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from celery import Celery

from app.github.job import QUEUE
from config.settings import Settings, load_settings
from workers.tasks import register_tasks

TASK_SOFT_TIME_LIMIT = 840
TASK_TIME_LIMIT = 900
# Above the time limit plus the longest retry countdown, so Redis never hands a running job to a
# second worker; a job whose worker died is handed out again after this long.
VISIBILITY_TIMEOUT = 3600


def celery_config(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Return the Celery configuration of Verity's workers."""
    config: dict[str, Any] = {
        "broker_url": settings.redis_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT},
        "task_default_queue": QUEUE,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "task_ignore_result": True,
        "result_backend": None,
        "task_time_limit": TASK_TIME_LIMIT,
        "task_soft_time_limit": TASK_SOFT_TIME_LIMIT,
        "worker_prefetch_multiplier": 1,
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


def create_celery_app(settings: Settings | None = None, **overrides: Any) -> Celery:
    """Return a Celery app with Verity's tasks; its configuration loads lazily."""
    celery = Celery("verity", set_as_current=False)
    celery.config_from_object(LazyConfig(settings, **overrides))
    register_tasks(celery)
    return celery


app = create_celery_app()


def run_worker(argv: Sequence[str] = ()) -> None:
    """Start a worker (`verity worker`); stop at start-up if a setting is missing."""
    from app.jobs.runtime import get_runtime

    get_runtime()
    app.worker_main(["worker", "--loglevel=INFO", *argv])
