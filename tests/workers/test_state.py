"""The workers' shared state in a real Redis: job claims, the latest head, check run ids, sent annotations."""

from __future__ import annotations

import redis

from app.store.keys import CHECK_RUN_TTL, JOB_TTL, annotations_key, check_run_key, latest_head_key
from app.store.state import RedisRunIds, RedisSentAnnotations, claim, latest_head

KEY = "verity:job:11:7:" + "a" * 40 + ":digest"
HEAD = "a" * 40


def test_the_first_task_claims_a_job_and_a_second_one_is_refused(db: redis.Redis) -> None:
    assert claim(db, KEY, "task-1", force=False)
    assert not claim(db, KEY, "task-2", force=False)
    assert db.get(KEY) == b"task-1"
    assert JOB_TTL - 5 < db.ttl(KEY) <= JOB_TTL


def test_a_redelivered_task_reclaims_its_own_job(db: redis.Redis) -> None:
    assert claim(db, KEY, "task-1", force=False)
    db.expire(KEY, 60)
    assert claim(db, KEY, "task-1", force=False)  # the worker died; Redis handed the same task out again
    assert db.ttl(KEY) > 60  # and the claim's expiry starts over


def test_a_forced_job_takes_the_claim_from_its_holder(db: redis.Redis) -> None:
    assert claim(db, KEY, "task-1", force=False)
    assert claim(db, KEY, "rerun", force=True)
    assert db.get(KEY) == b"rerun"
    assert not claim(db, KEY, "task-1", force=False)


def test_the_latest_head_is_read_back_as_text(db: redis.Redis) -> None:
    assert latest_head(db, 11, 7) is None
    db.set(latest_head_key(11, 7), HEAD)
    assert latest_head(db, 11, 7) == HEAD
    assert latest_head(db, 11, 8) is None


def test_run_ids_are_kept_per_repository_head_and_check_name_with_their_owner(db: redis.Redis) -> None:
    ids = RedisRunIds(db, 11, "Verity")
    assert ids.get(HEAD) is None
    ids.put(HEAD, 1001, f"11:7:{HEAD}")
    assert ids.get(HEAD) == (1001, f"11:7:{HEAD}")
    assert RedisRunIds(db, 11, "Verity (staging)").get(HEAD) is None
    assert RedisRunIds(db, 12, "Verity").get(HEAD) is None
    assert ids.get("b" * 40) is None
    key = check_run_key(11, HEAD, "Verity")
    assert db.get(key) == f"1001 11:7:{HEAD}".encode()
    assert CHECK_RUN_TTL - 5 < db.ttl(key) <= CHECK_RUN_TTL
    ids.put(HEAD, 1001, f"11:0:{HEAD}")  # adopted by another job: the owner is replaced
    assert ids.get(HEAD) == (1001, f"11:0:{HEAD}")


def test_a_bare_run_id_from_before_owners_were_kept_reads_back_with_no_owner(db: redis.Redis) -> None:
    db.set(check_run_key(11, HEAD, "Verity"), "1001")
    assert RedisRunIds(db, 11, "Verity").get(HEAD) == (1001, "")
    RedisRunIds(db, 11, "Verity").put(HEAD, 1002, "")
    assert db.get(check_run_key(11, HEAD, "Verity")) == b"1002"


def test_a_run_id_that_is_not_a_number_counts_as_absent(db: redis.Redis) -> None:
    for garbage in ("garbage", "² 11:7:x", " 11:7:x"):
        db.set(check_run_key(11, HEAD, "Verity"), garbage)
        assert RedisRunIds(db, 11, "Verity").get(HEAD) is None


def test_sent_annotations_accumulate_per_run_and_expire(db: redis.Redis) -> None:
    ledger = RedisSentAnnotations(db)
    assert ledger.sent(1001) == set()
    ledger.add(1001, ["fp-1", "fp-2"])
    ledger.add(1001, ["fp-2", "fp-3"])
    assert ledger.sent(1001) == {"fp-1", "fp-2", "fp-3"}
    assert ledger.sent(1002) == set()
    assert CHECK_RUN_TTL - 5 < db.ttl(annotations_key(1001)) <= CHECK_RUN_TTL


def test_adding_no_annotations_writes_nothing(db: redis.Redis) -> None:
    RedisSentAnnotations(db).add(1003, [])
    assert not db.exists(annotations_key(1003))
