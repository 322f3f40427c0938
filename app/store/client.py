"""Connections to Redis: the workers' blocking client and the receiver's asyncio client."""

from __future__ import annotations

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

Client = redis.Redis
AsyncClient = aioredis.Redis
# What a call raises when Redis cannot be reached or refuses: the receiver answers 503.
UNREACHABLE: tuple[type[Exception], ...] = (RedisError, OSError)
# What a job meets while Redis restarts or fails over: transient, like a GitHub 5xx, so it is retried.
TRANSIENT: tuple[type[Exception], ...] = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def connect(url: str) -> Client:
    """Return a worker's client; it connects on first use."""
    return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)


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
