"""The default branch's score history and each repository's record, in Redis.

Workers write with `record_commit` (one atomic script); the receiver reads with the async functions,
which answer None alike for a repository never audited and one that may not be shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from redis.exceptions import WatchError

from app.report.history import HistoryEntry, RepoRecord
from app.store.keys import (
    HISTORY_LIMIT,
    history_key,
    history_scores_key,
    push_head_key,
    repo_key,
    repo_name_key,
)

if TYPE_CHECKING:
    import redis

    from app.store.client import AsyncClient

# Add the commit, trim to the limit (earliest on the branch first), and replace the record only when the
# commit is the newest one kept: a late job for an older commit must not hide the newer table.
RECORD_SCRIPT = """
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
local newest = redis.call('ZRANGE', KEYS[1], -1, -1)[1]
if newest ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[3], ARGV[4])
redis.call('SET', KEYS[4], ARGV[6])
return 1
"""


def record_commit(client: redis.Redis, record: RepoRecord, limit: int = HISTORY_LIMIT) -> bool:
    """Add the record's latest commit to the history; return whether it became the repository's latest."""
    entry = record.latest
    keys = [history_key(record.repo_id), history_scores_key(record.repo_id), repo_key(record.repo_id),
            repo_name_key(record.full_name)]
    args: list[str | int | bytes] = [entry.sha, entry.position, _dump(entry.to_json()), _dump(record.to_json()), limit,
                             record.repo_id]
    return bool(client.eval(RECORD_SCRIPT, len(keys), *keys, *args))


def latest_push_head(client: redis.Redis, repo_id: int) -> str | None:
    """Return the newest default-branch head the receiver saw a push announce."""
    value = client.get(push_head_key(repo_id))
    return value.decode() if isinstance(value, bytes) else None


def forget_repository(client: redis.Redis, repo_id: int) -> None:
    """Delete a repository's history and record (the App lost access to it)."""
    raw = client.get(repo_key(repo_id))
    keys = [history_key(repo_id), history_scores_key(repo_id), repo_key(repo_id), push_head_key(repo_id)]
    if isinstance(raw, bytes):
        name_key = repo_name_key(RepoRecord.from_json(orjson.loads(raw)).full_name)
        if client.get(name_key) == str(repo_id).encode():
            keys.append(name_key)
    client.delete(*keys)


def set_privacy(client: redis.Redis, repo_id: int, private: bool) -> bool:
    """Record that a repository became private or public; False when Verity holds no record of it."""
    key = repo_key(repo_id)
    with client.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                raw = pipe.get(key)
                if not isinstance(raw, bytes):
                    return False
                record = orjson.loads(raw)
                record["private"] = private
                pipe.multi()
                pipe.set(key, orjson.dumps(record))
                pipe.execute()
                return True
            except WatchError:  # a push job wrote the record meanwhile: read it again
                continue


def read_history(client: redis.Redis, repo_id: int) -> list[HistoryEntry]:
    """Return a repository's history, oldest commit first (workers and tests)."""
    shas: list[bytes] = client.zrange(history_key(repo_id), 0, -1)  # type: ignore[assignment]
    return _entries(client.hmget(history_scores_key(repo_id), shas) if shas else [])


async def visible_record(client: AsyncClient, full_name: str) -> RepoRecord | None:
    """Return the record of `owner/name` when it may be shown; None when unknown or private alike."""
    repo_id = await client.get(repo_name_key(full_name))
    if not isinstance(repo_id, bytes) or not repo_id.isdigit():
        return None
    raw = await client.get(repo_key(int(repo_id)))
    if not isinstance(raw, bytes):
        return None
    record = RepoRecord.from_json(orjson.loads(raw))
    # The name index may outlive a rename: the record must still carry the name asked for.
    if record.full_name.lower() != full_name.lower() or not record.visible:
        return None
    return record


async def history(client: AsyncClient, repo_id: int, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Return the newest `limit` history entries, oldest commit first."""
    shas: list[bytes] = await client.zrange(history_key(repo_id), -limit, -1)  # type: ignore[assignment]
    if not shas:
        return []
    return _entries(await client.hmget(history_scores_key(repo_id), shas))


def _entries(values: list[Any]) -> list[HistoryEntry]:
    """Parse stored entries, skipping any a concurrent trim removed."""
    return [HistoryEntry.from_json(orjson.loads(v)) for v in values if isinstance(v, bytes)]


def _dump(data: dict[str, Any]) -> bytes:
    """Return compact JSON."""
    return orjson.dumps(data)
