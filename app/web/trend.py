"""`GET /badge/{owner}/{repo}.svg` and `GET /repos/{owner}/{repo}`: the default branch's score, read from Redis.

Privacy first: a repository is shown only when its last push said it is public, or its default branch's
policy says `[report] public = true`. Every other case, a repository never audited included, gets the
same 404, byte for byte, so the answer tells nothing about whether the repository exists.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from app.engine.model import DOMAIN_ORDER
from app.report.badge import score_badge
from app.report.history import HistoryEntry, RepoRecord
from app.report.trend_html import render_trend_html
from app.store.client import UNREACHABLE, AsyncClient
from app.store.history import history, visible_record
from app.version import verity_version

# GitHub's own rules for owner and repository names; anything else cannot exist.
NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
REPO_RE = re.compile(r"[A-Za-z0-9._-]{1,100}")
DOMAINS = frozenset(d.value for d in DOMAIN_ORDER)
BADGE_LABEL = "verity"
CACHE = "public, max-age=300"
# Nothing on these pages runs or loads: styles are inline, the chart is inline SVG.
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
PAGE_HEADERS = {"x-content-type-options": "nosniff", "content-security-policy": PAGE_CSP,
                    "referrer-policy": "no-referrer"}
NOT_FOUND_BODY = b"Not Found"
NOT_FOUND_HEADERS = {"cache-control": "no-cache", **PAGE_HEADERS}
SHOWN_HEADERS = {"cache-control": CACHE, **PAGE_HEADERS}
# Rendered pages kept in the process: a page of 1,000 commits costs tens of milliseconds to draw, and
# the receiver's event loop also answers webhooks. A late job for an older commit shows within PAGE_TTL.
PAGE_TTL = 60.0
PAGES_KEPT = 256


def not_found() -> Response:
    """Return the one 404 of these routes: unknown, private and malformed names all look the same."""
    return Response(NOT_FOUND_BODY, status_code=404, media_type="text/plain", headers=NOT_FOUND_HEADERS)


def unavailable() -> Response:
    """Return 503 when Redis cannot answer (the page may exist; nothing is said either way)."""
    return Response(b"Service Unavailable", status_code=503, media_type="text/plain",
                    headers={"cache-control": "no-store", "retry-after": "30"})


def full_name(request: Request) -> str | None:
    """Return the `owner/repo` of a request's path, or None when GitHub could not have such a name."""
    owner, repo = str(request.path_params["owner"]), str(request.path_params["repo"])
    if not NAME_RE.fullmatch(owner) or not REPO_RE.fullmatch(repo) or repo in (".", ".."):
        return None
    return f"{owner}/{repo}"


class TrendPages:
    """The badge and trend page endpoints, over the receiver's Redis, with the rendered pages they keep."""

    def __init__(self, redis: AsyncClient) -> None:
        self.redis = redis
        self.pages: OrderedDict[tuple[int, str], tuple[float, bytes]] = OrderedDict()
        self.drawing: dict[tuple[int, str], asyncio.Task[bytes]] = {}  # one drawing per page, however many ask

    async def badge(self, request: Request) -> Response:
        """Answer the SVG badge of the latest overall score, or of one domain with `?domain=`."""
        domain = request.query_params.get("domain")
        name = full_name(request)
        if name is None or (domain is not None and domain not in DOMAINS):
            return not_found()
        try:
            record = await visible_record(self.redis, name)
        except UNREACHABLE:
            return unavailable()
        if record is None:
            return not_found()
        label = BADGE_LABEL if domain is None else f"{BADGE_LABEL} {domain}"
        svg = score_badge(label, record.latest.score(domain))
        return Response(svg, media_type="image/svg+xml; charset=utf-8", headers=SHOWN_HEADERS)

    async def trend_page(self, request: Request) -> Response:
        """Answer the trend page: the history chart, the latest table and the commits."""
        name = full_name(request)
        if name is None:
            return not_found()
        try:
            # The record is read on every request: privacy is decided now, never from a kept page.
            record = await visible_record(self.redis, name)
            page = None if record is None else await self.page(record)
        except UNREACHABLE:
            return unavailable()
        if page is None:
            return not_found()
        return Response(page, media_type="text/html; charset=utf-8", headers=SHOWN_HEADERS)

    async def page(self, record: RepoRecord) -> bytes:
        """Return the rendered page of a record, drawn at most once per PAGE_TTL per latest commit."""
        key = (record.repo_id, record.latest.sha)
        kept = self.pages.get(key)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        if key not in self.drawing:
            self.drawing[key] = asyncio.ensure_future(self.draw(key, record))
            self.drawing[key].add_done_callback(lambda _: self.drawing.pop(key, None))
        return await asyncio.shield(self.drawing[key])

    async def draw(self, key: tuple[int, str], record: RepoRecord) -> bytes:
        """Read the history, draw the page in a worker thread (the event loop keeps answering webhooks), keep it."""
        entries = await history(self.redis, record.repo_id)
        page = await run_in_threadpool(render_page, record, entries)
        self.pages[key] = (time.monotonic() + PAGE_TTL, page)
        self.pages.move_to_end(key)
        while len(self.pages) > PAGES_KEPT:
            self.pages.popitem(last=False)
        return page


def render_page(record: RepoRecord, entries: list[HistoryEntry]) -> bytes:
    """Return the trend page as bytes (a record always has its latest commit, even if the history lost it)."""
    return render_trend_html(record, entries or [record.latest], verity_version()).encode()

