"""The webhook receiver: verify, parse, dedupe, route, enqueue. Nothing slow happens here.

`POST /webhook` is a plain ASGI endpoint, the hot path: it reads the four headers it needs straight
from the scope and answers with pre-encoded bodies. The other endpoints are ordinary starlette ones.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.logs import log_to_stderr
from app.store.client import UNREACHABLE, AsyncClient, answers, connect_async
from app.store.queue import Enqueuer, ScriptBatcher
from app.web import trend
from app.web.metrics import Metrics
from app.web.payload import Delivery, MalformedPayload
from app.web.routing import ROUTES, route
from app.web.signature import verify
from config.settings import Settings, load_settings

log = logging.getLogger("verity.web")

MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
WANTED = frozenset({b"content-length", b"x-github-event", b"x-github-delivery", b"x-hub-signature-256"})


class BodyTooLarge(Exception):
    """The request body is over the limit."""


@dataclass(frozen=True)
class Answer:
    """A status and the JSON body GitHub shows in the delivery log."""

    status: int
    body: bytes


def answer(status: int, outcome: str, **extra: Any) -> Answer:
    """Return an answer with its outcome and any detail."""
    return Answer(status, orjson.dumps({"outcome": outcome, **extra}))


QUEUED = answer(202, "queued")
DUPLICATE = answer(200, "duplicate")
IGNORED = answer(200, "ignored")
PONG = answer(200, "pong")
BAD_SIGNATURE = answer(401, "bad signature")
UNAVAILABLE = answer(503, "redis unreachable")


@dataclass
class Receiver:
    """The state the endpoints share: the secret, Redis, the enqueuer and the metrics."""

    secret: bytes
    check_name: str
    redis: AsyncClient
    enqueuer: Enqueuer
    metrics: Metrics
    max_body: int = MAX_BODY


async def read_body(receive: Receive, declared: bytes | None, limit: int) -> bytes:
    """Read the body, refusing it as soon as it is known to be over the limit."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        more = message.get("more_body", False) and message["type"] == "http.request"
    return b"".join(chunks)


class WebhookEndpoint:
    """`POST /webhook`: answer 202 queued, 200 ignored or seen, 400, 401, 413 or 503."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = {k: v for k, v in scope["headers"] if k in WANTED}
        event = headers.get(b"x-github-event", b"").decode("latin-1")
        result = await self.handle(headers, event, receive)
        await send({"type": "http.response.start", "status": result.status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(result.body)).encode())]})
        await send({"type": "http.response.body", "body": result.body})
        self.receiver.metrics.count(event if event in ROUTES or event == "ping" else "other", str(result.status))
        self.receiver.metrics.latency.observe(time.perf_counter() - started)

    async def handle(self, headers: dict[bytes, bytes], event: str, receive: Receive) -> Answer:
        """Run the receiver's steps in order; each step may end the request."""
        receiver = self.receiver
        try:
            body = await read_body(receive, headers.get(b"content-length"), receiver.max_body)
        except BodyTooLarge:
            return answer(413, "too large", limit=receiver.max_body)
        signature = headers.get(b"x-hub-signature-256", b"").decode("latin-1")
        if not verify(receiver.secret, body, signature):
            return BAD_SIGNATURE
        delivery_id = headers.get(b"x-github-delivery", b"").decode("latin-1")
        try:
            routed = route(parse(event, delivery_id, body, receiver.check_name))
        except MalformedPayload as exc:
            log.info("malformed delivery", extra={"delivery": delivery_id, "event": event, "why": str(exc)})
            return answer(400, "malformed", error=str(exc))
        if routed is None:
            return PONG if event == "ping" else IGNORED
        try:
            queued = await receiver.enqueuer.enqueue(delivery_id, routed.job, routed.head_key, routed.head_sha)
        except UNREACHABLE:
            log.warning("redis unreachable", extra={"delivery": delivery_id, "event": event})
            return UNAVAILABLE
        return QUEUED if queued else DUPLICATE


def parse(event: str, delivery_id: str, body: bytes, check_name: str) -> Delivery:
    """Parse a verified body into a delivery, or raise MalformedPayload."""
    if not event or not delivery_id or len(delivery_id) > 100:
        raise MalformedPayload("missing X-GitHub-Event or X-GitHub-Delivery")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise MalformedPayload("body is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedPayload("body is not a JSON object")
    return Delivery(event=event, delivery_id=delivery_id, payload=payload, check_name=check_name)


async def healthz(request: Request) -> Response:
    """Answer that the process is up."""
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    """Answer 200 when Redis answers, 503 otherwise."""
    receiver: Receiver = request.app.state.receiver
    if not await answers(receiver.redis):
        return PlainTextResponse("redis unreachable", status_code=503)
    return PlainTextResponse("ok")


async def metrics(request: Request) -> Response:
    """Expose the receiver's metrics in the Prometheus text format."""
    receiver: Receiver = request.app.state.receiver
    return Response(generate_latest(receiver.metrics.registry), media_type=CONTENT_TYPE_LATEST)


class FastWebhook:
    """Send `POST /webhook` straight to its endpoint, and everything else through starlette.

    The route list stays the one explicit table; this only skips starlette's middleware and route
    matching on the one path that carries load.
    """

    def __init__(self, app: Starlette, webhook: WebhookEndpoint) -> None:
        self.app = app
        self.webhook = webhook

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/webhook" and scope["method"] == "POST":
            await self.webhook(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def routes(receiver: Receiver) -> list[Route]:
    """Return the receiver's explicit route list."""
    pages = trend.TrendPages(receiver.redis)
    return [
        Route("/webhook", WebhookEndpoint(receiver), methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/badge/{owner}/{repo}.svg", pages.badge, methods=["GET"]),
        Route("/repos/{owner}/{repo}", pages.trend_page, methods=["GET"]),
    ]


def create_app(settings: Settings, *, max_body: int = MAX_BODY) -> Starlette:
    """Return the receiver's ASGI app; Redis is connected lazily, on the first request."""
    client = connect_async(settings.redis_url)
    receiver = Receiver(
        secret=settings.webhook_secret.encode(),
        check_name=settings.check_name,
        redis=client,
        enqueuer=Enqueuer(ScriptBatcher(client), queues=settings.queues),
        metrics=Metrics(),
        max_body=max_body,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = Starlette(routes=routes(receiver), lifespan=lifespan)
    app.state.receiver = receiver
    return app


def create_asgi(settings: Settings, *, max_body: int = MAX_BODY) -> FastWebhook:
    """Return the receiver as served in production: the app, with the webhook's fast path."""
    app = create_app(settings, max_body=max_body)
    return FastWebhook(app, WebhookEndpoint(app.state.receiver))


def run(host: str = "127.0.0.1", port: int = 8000, settings: Settings | None = None) -> None:
    """Serve the receiver with uvicorn (`verity serve`); stop at start-up if a setting is missing."""
    import uvicorn  # imported here so importing this module stays cheap

    app = create_asgi(settings or load_settings())
    log_to_stderr()
    # Move start-up objects out of the collector's sight: full collections then only scan requests' garbage.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, proxy_headers=False, log_level="info", access_log=False)
