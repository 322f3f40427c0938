"""Acceptances, the trail and the re-run limit in a real Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from app.engine.model import Domain
from app.store.acceptances import Acceptance, AcceptanceStore
from app.store.keys import acceptance_trail_key, acceptances_key, rerun_limit_key
from app.store.ratelimit import claim_rerun
from tests.e2e.services import clear, session_redis

COMMANDS_DB = 11
SEC = Domain.SECURITY


@pytest.fixture(scope="module")
def client() -> Iterator[redis.Redis]:
    with session_redis() as server:
        url = server.url(COMMANDS_DB)
        clear(url)
        yield redis.Redis.from_url(url)
        clear(url)


def acceptance(login: str, score: float = 77.9) -> Acceptance:
    """Return an acceptance of the security regression by a user."""
    return Acceptance(SEC, login, f"reason of {login}", "2024-05-01T10:00:00Z", "a" * 40, score, frozenset({"fp"}))


def test_accept_revoke_and_the_trail(client: redis.Redis) -> None:
    store = AcceptanceStore(client, 1, 7)
    store.accept(acceptance("wendy"))
    assert store.active() == {SEC: acceptance("wendy")}
    assert client.ttl(acceptances_key(1, 7)) > 0 and client.ttl(acceptance_trail_key(1, 7)) > 0
    assert store.revoke(Domain.DOCS, "max", "t", "b" * 40) is None
    assert store.revoke(SEC, "max", "t", "b" * 40) == acceptance("wendy")
    assert store.revoke(SEC, "max", "t", "b" * 40) is None
    assert store.active() == {}
    assert [(e.action, e.login, e.by) for e in store.trail()] == [("accepted", "wendy", ""), ("revoked", "wendy", "max")]
    assert AcceptanceStore(client, 1, 8).active() == {}  # per pull request


def test_a_lapse_never_removes_an_acceptance_made_after_it_was_judged(client: redis.Redis) -> None:
    store = AcceptanceStore(client, 2, 7)
    store.accept(acceptance("wendy"))
    store.accept(acceptance("ada", 70.0))  # replaces wendy's while an audit judged wendy's
    assert store.lapse(acceptance("wendy"), "worse", "t", "c" * 40) is False
    assert store.active() == {SEC: acceptance("ada", 70.0)}
    assert store.lapse(acceptance("ada", 70.0), "worse", "t", "c" * 40) is True
    assert store.active() == {}
    assert [e.action for e in store.trail()] == ["accepted", "accepted", "lapsed"]


def test_unreadable_entries_are_skipped(client: redis.Redis) -> None:
    store = AcceptanceStore(client, 3, 7)
    client.hset(acceptances_key(3, 7), "docs", b"{not json")
    client.hset(acceptances_key(3, 7), "ci", b'{"domain": "nope"}')
    client.rpush(acceptance_trail_key(3, 7), b"[1]", b'{"action": "accepted"}')
    store.accept(acceptance("wendy"))
    assert list(store.active()) == [SEC]
    assert [e.login for e in store.trail()] == ["wendy"]


def test_one_rerun_per_pull_request_per_cooldown(client: redis.Redis) -> None:
    assert claim_rerun(client, 4, 7, comment_id=100) == 0
    assert claim_rerun(client, 4, 7, comment_id=100) == 0  # a retry of the same comment's job
    assert 1 <= claim_rerun(client, 4, 7, comment_id=101) <= 30
    assert claim_rerun(client, 4, 8, comment_id=102) == 0  # another pull request
    assert 28 <= client.ttl(rerun_limit_key(4, 7)) <= 30
    client.delete(rerun_limit_key(4, 7))  # the cooldown is over
    assert claim_rerun(client, 4, 7, comment_id=101) == 0
