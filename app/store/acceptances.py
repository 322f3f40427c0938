"""A pull request's acceptances and their audit trail in Redis; every change is one atomic script.

The records' JSON is the stored shape (see `app.store.keys`); the rules that judge them are in
`app.jobs.acceptances`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.engine.model import Domain
from app.store.keys import ACCEPTANCE_TTL, TRAIL_LIMIT, acceptance_trail_key, acceptances_key

if TYPE_CHECKING:  # the rules import these records, and the CLI imports the rules: no Redis at import time
    import redis


@dataclass(frozen=True)
class Acceptance:
    """One domain's accepted regression: who, when, why, at which head, and the state it accepted."""

    domain: Domain
    login: str
    reason: str  # as written; escaped whenever shown
    at: str
    head_sha: str
    score: float | None
    fingerprints: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        """Return the acceptance as stored."""
        return {"domain": self.domain.value, "login": self.login, "reason": self.reason, "at": self.at,
                "head_sha": self.head_sha, "score": self.score, "fingerprints": sorted(self.fingerprints)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Acceptance:
        """Rebuild a stored acceptance."""
        score = data.get("score")
        return cls(Domain(data["domain"]), str(data["login"]), str(data["reason"]), str(data["at"]),
                   str(data["head_sha"]), None if score is None else float(score),
                   frozenset(str(f) for f in data.get("fingerprints", ())))


@dataclass(frozen=True)
class TrailEntry:
    """One event of the audit trail: accepted, revoked or lapsed."""

    action: str
    domain: Domain
    login: str  # who accepted (for every action)
    at: str
    head_sha: str
    reason: str = ""  # accepted: the user's reason; lapsed: why it lapsed (already escaped)
    by: str = ""  # revoked: who revoked

    def to_json(self) -> dict[str, Any]:
        """Return the entry as stored."""
        return {"action": self.action, "domain": self.domain.value, "login": self.login, "at": self.at,
                "head_sha": self.head_sha, "reason": self.reason, "by": self.by}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrailEntry:
        """Rebuild a stored entry."""
        return cls(str(data["action"]), Domain(data["domain"]), str(data["login"]), str(data["at"]),
                   str(data["head_sha"]), str(data.get("reason", "")), str(data.get("by", "")))


# Set or remove one domain's acceptance and append the event to the trail, in one step. ARGV[2] is
# the new acceptance ("" removes); ARGV[3] is the acceptance a removal expects ("" takes any), so a
# lapse never removes an acceptance made after the audit that judged it. Returns the old value.
CHANGE_SCRIPT = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  if not old or (ARGV[3] ~= '' and old ~= ARGV[3]) then return false end
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return old or ''
"""


def _dump(data: dict[str, Any]) -> str:
    """Serialise stably, so a stored acceptance compares equal to its re-serialisation."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _load(raw: object) -> dict[str, Any] | None:
    """Return a stored JSON object, or None when it is unreadable (treated as absent)."""
    try:
        data = json.loads(raw) if isinstance(raw, (bytes, str)) else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class AcceptanceStore:
    """The acceptances and the trail of one pull request."""

    def __init__(self, client: redis.Redis, repo_id: int, pr_number: int) -> None:
        self._redis = client
        self._keys = [acceptances_key(repo_id, pr_number), acceptance_trail_key(repo_id, pr_number)]

    def active(self) -> dict[Domain, Acceptance]:
        """Return the acceptances in force, by domain (unreadable entries are skipped)."""
        found: dict[Domain, Acceptance] = {}
        for raw in self._redis.hvals(self._keys[0]):
            data = _load(raw)
            try:
                accepted = Acceptance.from_json(data) if data else None
            except (KeyError, ValueError, TypeError):
                accepted = None
            if accepted is not None:
                found[accepted.domain] = accepted
        return found

    def accept(self, accepted: Acceptance) -> None:
        """Record an acceptance (replacing the domain's previous one) and log it."""
        entry = TrailEntry("accepted", accepted.domain, accepted.login, accepted.at, accepted.head_sha,
                           accepted.reason)
        self._change(accepted.domain, _dump(accepted.to_json()), "", entry)

    def revoke(self, domain: Domain, by: str, at: str, head_sha: str) -> Acceptance | None:
        """Remove a domain's acceptance and log who did; return it, or None when there was none."""
        current = self.active().get(domain)
        if current is None:
            return None
        entry = TrailEntry("revoked", domain, current.login, at, head_sha, by=by)
        return current if self._change(domain, "", "", entry) else None

    def lapse(self, accepted: Acceptance, why: str, at: str, head_sha: str) -> bool:
        """Remove an acceptance that no longer holds, unless it was replaced meanwhile; log why."""
        entry = TrailEntry("lapsed", accepted.domain, accepted.login, at, head_sha, why)
        return self._change(accepted.domain, "", _dump(accepted.to_json()), entry)

    def trail(self) -> list[TrailEntry]:
        """Return the trail, oldest first (unreadable entries are skipped)."""
        entries = []
        for raw in self._redis.lrange(self._keys[1], 0, -1):
            data = _load(raw)
            try:
                entry = TrailEntry.from_json(data) if data else None
            except (KeyError, ValueError, TypeError):
                entry = None
            if entry is not None:
                entries.append(entry)
        return entries

    def _change(self, domain: Domain, value: str, expected: str, entry: TrailEntry) -> bool:
        """Run the change script; return whether it changed anything."""
        result = self._redis.eval(CHANGE_SCRIPT, 2, *self._keys, domain.value, value, expected,
                                  _dump(entry.to_json()), TRAIL_LIMIT, ACCEPTANCE_TTL)
        return result is not None
