"""Connections to Redis: the workers' blocking client and the receiver's asyncio client."""

from __future__ import annotations

import redis
import redis.asyncio as aioredis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

Client = redis.Redis
AsyncClient = aioredis.Redis
# What a call raises when Redis cannot be reached or refuses: the receiver answers 503.
UNREACHABLE: tuple[type[Exception], ...] = (RedisError, OSError)
# What a worker's call raises when Redis is down, restarting or loading its append-only file: a
# transient error, like a GitHub 5xx (tasks catch these without importing redis).
TRANSIENT: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
# A worker's call waits out a Redis restart in-process (about 30 s of backoff) before it raises:
# while Redis is down a task cannot publish its own retry either.
RETRY_BACKOFF_CAP = 2.0
RETRY_BACKOFF_BASE = 0.1
RETRY_ATTEMPTS = 20


def connect(url: str, attempts: int = RETRY_ATTEMPTS) -> Client:
    """Return a worker's client; it connects on first use and retries a lost connection with backoff."""
    retry = Retry(ExponentialBackoff(cap=RETRY_BACKOFF_CAP, base=RETRY_BACKOFF_BASE), attempts,
                  supported_errors=TRANSIENT)
    return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, retry=retry,
                                retry_on_error=list(TRANSIENT))


def connect_async(url: str) -> AsyncClient:
    """Return the receiver's asyncio client; it connects on the first request."""
    return aioredis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0, health_check_interval=30)


async def answers(client: AsyncClient) -> bool:
    """Return whether Redis answers a ping."""
    try:
        await client.ping()
    except UNREACHABLE:
        return False
    return True
