"""The facts cache: per-file facts keyed by (engine version and rules, path, blob SHA)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

import orjson

from app.engine.model import FileFacts


class FactsCache(Protocol):
    """Where per-file facts are kept between audits."""

    def get_many(self, keys: Iterable[str]) -> dict[str, FileFacts]:
        """Return the cached facts of the keys that are present."""
        ...

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        """Store facts under their keys."""
        ...


def facts_key(rules_digest: str, path: str, blob_sha: str) -> str:
    """Return the cache key of one file's facts."""
    return f"{rules_digest}:{blob_sha}:{path}"


class MemoryFactsCache:
    """A facts cache held in memory, for one process."""

    def __init__(self) -> None:
        self._items: dict[str, bytes] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, FileFacts]:
        """Return the cached facts of the keys that are present."""
        return {k: FileFacts.from_json(orjson.loads(self._items[k])) for k in keys if k in self._items}

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        """Store facts under their keys."""
        for key, facts in items.items():
            self._items[key] = orjson.dumps(facts.to_json())


class SQLiteFactsCache:
    """A facts cache in a local SQLite file, for the CLI."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def get_many(self, keys: Iterable[str]) -> dict[str, FileFacts]:
        """Return the cached facts of the keys that are present."""
        wanted = list(keys)
        found: dict[str, FileFacts] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, value FROM facts WHERE key IN ({marks})"  # noqa: S608  # verity: ignore[S608] only "?" placeholders are interpolated
                rows = self._db.execute(query, chunk)
                for key, value in rows:
                    found[key] = FileFacts.from_json(orjson.loads(value))
        return found

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        """Store facts under their keys."""
        rows = [(k, orjson.dumps(v.to_json()).decode()) for k, v in items.items()]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)", rows)

    def close(self) -> None:
        """Close the database."""
        self._db.close()
