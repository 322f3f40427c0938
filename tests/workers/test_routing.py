"""Locality: each repository's jobs go to one queue of N, by a stable hash of its id."""

from __future__ import annotations

from app.store.keys import all_queues, queue_for
from config.settings import Settings, load_settings
from workers.celery_app import celery_config

SETTINGS = Settings(webhook_secret="s", app_id="1", private_key="k")


def test_one_queue_keeps_the_single_verity_queue() -> None:
    assert {queue_for(repo_id, 1) for repo_id in range(1, 500)} == {"verity"}
    assert [q.name for q in celery_config(SETTINGS)["task_queues"]] == ["verity"]


def test_a_repository_always_lands_on_the_same_queue_and_repositories_spread_over_all() -> None:
    routed = {repo_id: queue_for(repo_id, 4) for repo_id in range(1000, 1400)}
    assert routed == {repo_id: queue_for(repo_id, 4) for repo_id in range(1000, 1400)}
    counts = {q: list(routed.values()).count(q) for q in all_queues(4)}
    assert set(counts) == {"verity", "verity.1", "verity.2", "verity.3"}
    assert min(counts.values()) > 60  # about 100 each


def test_a_worker_without_q_consumes_every_queue_of_the_setting() -> None:
    settings = load_settings({"VERITY_WEBHOOK_SECRET": "s", "VERITY_APP_ID": "1", "VERITY_PRIVATE_KEY": "k",
                              "VERITY_QUEUES": "3"})
    queues = celery_config(settings)["task_queues"]
    assert [(q.name, q.routing_key) for q in queues] == [("verity", "verity"), ("verity.1", "verity.1"),
                                                        ("verity.2", "verity.2")]
