"""The receiver over real HTTP and a real Redis: every status the contract names."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx

from app.github.job import AUDIT_TASK, QUEUE
from app.store.keys import delivery_key, latest_head_key
from app.web.server import MAX_BODY, create_app, create_asgi
from tests.e2e.payloads import Target, encode, headers, pull_request
from tests.e2e.services import RedisProcess, free_port
from tests.web.conftest import SECRET, Receiver, web_settings
from tests.web.serve import serve

TARGET = Target(installation_id=5, repo_id=11, full_name="octo/demo", clone_url="https://github.com/octo/demo.git")
HEAD = "a" * 40


def post(client: httpx.Client, event: str, body: bytes, delivery: str = "d-1", secret: str = SECRET) -> httpx.Response:
    """POST a signed delivery."""
    return client.post("/webhook", content=body, headers=headers(event, body, secret, delivery))


def queued(receiver: Receiver) -> list[dict[str, object]]:
    """Return the Celery messages waiting in the queue, oldest first."""
    return [json.loads(m) for m in reversed(receiver.redis.lrange(QUEUE, 0, -1))]


def test_pull_request_is_queued_with_ids_only(receiver: Receiver) -> None:
    response = post(receiver.client, "pull_request", encode(pull_request(TARGET, "opened", HEAD)))
    assert response.status_code == 202
    [message] = queued(receiver)
    assert message["headers"]["task"] == AUDIT_TASK  # type: ignore[index]
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))  # type: ignore[arg-type]
    assert args == []
    assert kwargs == {"installation_id": 5, "repo_id": 11, "repo_full_name": "octo/demo", "pr_number": 7,
                      "head_sha": HEAD, "base_ref": "main", "clone_url": TARGET.clone_url, "html_url": TARGET.html_url,
                      "delivery_id": "d-1", "force": False}
    assert receiver.redis.get(latest_head_key(11, 7)) == HEAD.encode()


def test_duplicate_delivery_answers_200_and_queues_once(receiver: Receiver) -> None:
    body = encode(pull_request(TARGET, "opened", HEAD))
    assert post(receiver.client, "pull_request", body).status_code == 202
    second = post(receiver.client, "pull_request", body)
    assert (second.status_code, second.json()["outcome"]) == (200, "duplicate")
    assert len(queued(receiver)) == 1
    assert 0 < receiver.redis.ttl(delivery_key("d-1")) <= 7 * 24 * 3600


def test_bad_or_missing_signature_answers_401(receiver: Receiver) -> None:
    body = encode(pull_request(TARGET, "opened", HEAD))
    assert post(receiver.client, "pull_request", body, secret="wrong").status_code == 401
    unsigned = receiver.client.post("/webhook", content=body, headers={"X-GitHub-Event": "pull_request",
                                                                      "X-GitHub-Delivery": "d-2"})
    assert unsigned.status_code == 401
    assert queued(receiver) == []
    assert not receiver.redis.exists(delivery_key("d-1"))


def test_malformed_payloads_answer_400(receiver: Receiver) -> None:
    broken = pull_request(TARGET, "opened", HEAD)
    del broken["pull_request"]["head"]["sha"]
    cases = [b"{not json", b"[1, 2]", encode(broken), encode(pull_request(TARGET, "opened", "not-a-sha")),
             "{\"x\": \"\udcff\"}".encode("utf-8", "surrogatepass")]
    for index, body in enumerate(cases):
        response = post(receiver.client, "pull_request", body, delivery=f"bad-{index}")
        assert response.status_code == 400, body[:40]
    no_delivery = receiver.client.post("/webhook", content=b"{}", headers={
        "X-GitHub-Event": "ping", "X-Hub-Signature-256": headers("ping", b"{}", SECRET)["X-Hub-Signature-256"]})
    assert no_delivery.status_code == 400
    assert queued(receiver) == []


def test_ping_and_ignored_events_answer_200(receiver: Receiver) -> None:
    assert post(receiver.client, "ping", b'{"zen": "Keep it logically awesome."}').json()["outcome"] == "pong"
    closed = post(receiver.client, "pull_request", encode(pull_request(TARGET, "closed", HEAD)), delivery="d-3")
    star = post(receiver.client, "star", b'{"action": "created"}', delivery="d-4")
    assert (closed.status_code, star.status_code) == (200, 200)
    assert closed.json()["outcome"] == "ignored"
    assert queued(receiver) == []


def test_body_over_25_mb_answers_413(receiver: Receiver) -> None:
    body = b" " * (MAX_BODY + 1)
    assert post(receiver.client, "pull_request", body).status_code == 413


def test_chunked_body_over_the_limit_answers_413(web_redis: RedisProcess, tmp_path: Path) -> None:
    app = create_asgi(web_settings(web_redis.url(12), tmp_path), max_body=1024)

    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b" " * 512

    with serve(app) as base, httpx.Client(base_url=base) as client:
        response = client.post("/webhook", content=chunks(), headers={"X-GitHub-Event": "ping"})
    assert response.status_code == 413


def test_health_ready_and_metrics(receiver: Receiver) -> None:
    post(receiver.client, "pull_request", encode(pull_request(TARGET, "opened", HEAD)))
    assert receiver.client.get("/healthz").text == "ok"
    assert receiver.client.get("/readyz").status_code == 200
    metrics = receiver.client.get("/metrics").text
    assert 'verity_webhook_deliveries_total{event="pull_request",outcome="202"} 1.0' in metrics
    assert "verity_webhook_seconds_bucket" in metrics


def test_redis_down_answers_503_and_the_redelivery_is_not_swallowed(tmp_path: Path) -> None:
    server = RedisProcess(free_port())
    server.start()
    body = encode(pull_request(TARGET, "opened", HEAD))
    try:
        with serve(create_asgi(web_settings(server.url(0), tmp_path))) as base, httpx.Client(base_url=base) as client:
            assert post(client, "pull_request", body, delivery="r-1").status_code == 202
            server.stop()
            assert post(client, "pull_request", body, delivery="r-2").status_code == 503
            assert client.get("/readyz").status_code == 503
            server.start()
            assert post(client, "pull_request", body, delivery="r-2").status_code == 202
    finally:
        server.stop()


def test_only_post_reaches_the_webhook(receiver: Receiver) -> None:
    assert receiver.client.get("/webhook").status_code == 405
    assert receiver.client.post("/healthz").status_code == 405


def test_the_fast_path_and_the_route_table_answer_alike(web_redis: RedisProcess, tmp_path: Path) -> None:
    body = encode(pull_request(TARGET, "opened", HEAD))
    answers = []
    for factory in (create_app, create_asgi):
        with serve(factory(web_settings(web_redis.url(12), tmp_path))) as base, httpx.Client(base_url=base) as client:
            first = post(client, "pull_request", body, delivery=f"same-{factory.__name__}")
            again = post(client, "pull_request", body, delivery=f"same-{factory.__name__}")
            answers.append((first.status_code, first.json(), again.status_code, again.json()))
    assert answers[0] == answers[1] == (202, {"outcome": "queued"}, 200, {"outcome": "duplicate"})
