"""The facts cache in Redis, shared by every worker (the engine itself never imports Redis)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping

import redis

from app.engine.model import FileFacts
from app.store.keys import FACTS_PREFIX, FACTS_TTL

CHUNK = 500


class RedisFactsCache:
    """A FactsCache over one Redis database; values are compressed JSON with a TTL."""

    def __init__(self, client: redis.Redis, ttl: int = FACTS_TTL) -> None:
        self._redis = client
        self._ttl = ttl

    def get_many(self, keys: Iterable[str]) -> dict[str, FileFacts]:
        """Return the cached facts of the keys that are present (unreadable entries count as absent)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, FileFacts] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            values = self._redis.mget([FACTS_PREFIX + k for k in chunk])
            for key, value in zip(chunk, values, strict=True):
                facts = _decode(value)
                if facts is not None:
                    found[key] = facts
        return found

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        """Store facts under their keys."""
        pairs = list(items.items())
        for start in range(0, len(pairs), CHUNK):
            pipe = self._redis.pipeline(transaction=False)
            for key, facts in pairs[start : start + CHUNK]:
                pipe.set(FACTS_PREFIX + key, zlib.compress(json.dumps(facts.to_json()).encode(), 1), ex=self._ttl)
            pipe.execute()


def _decode(value: object) -> FileFacts | None:
    """Return the facts stored in a value, or None when it is absent or unreadable."""
    if not isinstance(value, bytes):
        return None
    try:
        return FileFacts.from_json(json.loads(zlib.decompress(value)))
    except (zlib.error, ValueError, KeyError, TypeError):
        return None
