"""What a worker process holds: settings, Redis, token cache, mirrors and the facts cache.

Built on first use, never at import time, so importing the Celery app reads no environment.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from app.github.client import GitHubClient, InstallationTokens, Token
from app.gitrepo.mirror import Mirrors
from app.store.client import connect
from app.store.facts import RedisFactsCache
from app.store.leases import Leases
from config.settings import Settings, load_settings


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a job is retried when GitHub or the network fails."""

    max_retries: int = 6
    base_seconds: float = 5.0
    cap_seconds: float = 900.0

    def delay(self, retries: int, retry_after: float = 0.0) -> float:
        """Return the wait before the next try: exponential with jitter, never shorter than Retry-After."""
        backoff = min(self.cap_seconds, self.base_seconds * 2.0**retries) * random.uniform(0.8, 1.0)  # noqa: S311
        return max(backoff, min(retry_after, self.cap_seconds))


@dataclass
class Runtime:
    """The long-lived objects of one worker process."""

    settings: Settings
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        self.redis = connect(self.settings.redis_url)
        self.tokens = InstallationTokens(self.settings)
        self.mirrors = Mirrors(self.settings.data_dir)
        self.facts = RedisFactsCache(self.redis)
        self.leases = Leases(self.redis)

    def token(self, installation_id: int) -> Token:
        """Return a valid installation token."""
        return self.tokens.get(installation_id)

    def github(self, installation_id: int) -> GitHubClient:
        """Return a GitHub client acting as an installation."""
        return GitHubClient(self.settings, self.token(installation_id))


_lock = threading.Lock()
_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    """Return this process's runtime, building it from the environment on first use."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = Runtime(load_settings())
        return _runtime


def set_runtime(runtime: Runtime | None) -> None:
    """Install a runtime (tests, or a caller that already holds settings)."""
    global _runtime
    with _lock:
        _runtime = runtime
