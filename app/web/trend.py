"""`GET /badge/{owner}/{repo}.svg` and `GET /repos/{owner}/{repo}`: the default branch's score, read from Redis.

Privacy first: a repository is shown only when its last push said it is public, or its default branch's
policy says `[report] public = true`. Every other case, a repository never audited included, gets the
same 404, byte for byte, so the answer tells nothing about whether the repository exists.
"""

from __future__ import annotations

import functools
import logging
import re
from importlib.metadata import PackageNotFoundError, version

from starlette.requests import Request
from starlette.responses import Response

from app.engine.model import DOMAIN_ORDER
from app.report.badge import score_badge
from app.report.history import RepoRecord
from app.report.trend_html import render_trend_html
from app.store.client import UNREACHABLE
from app.store.history import history, visible_record

log = logging.getLogger("verity.web")

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


async def shown_record(request: Request, name: str) -> RepoRecord | None:
    """Return the repository's record when it may be shown."""
    return await visible_record(request.app.state.receiver.redis, name)


async def badge(request: Request) -> Response:
    """Answer the SVG badge of the latest overall score, or of one domain with `?domain=`."""
    domain = request.query_params.get("domain")
    name = full_name(request)
    if name is None or (domain is not None and domain not in DOMAINS):
        return not_found()
    try:
        record = await shown_record(request, name)
    except UNREACHABLE:
        return unavailable()
    if record is None:
        return not_found()
    label = BADGE_LABEL if domain is None else f"{BADGE_LABEL} {domain}"
    svg = score_badge(label, record.latest.score(domain))
    return Response(svg, media_type="image/svg+xml; charset=utf-8", headers=SHOWN_HEADERS)


async def trend_page(request: Request) -> Response:
    """Answer the trend page: the history chart, the latest table and the commits."""
    name = full_name(request)
    if name is None:
        return not_found()
    try:
        record = await shown_record(request, name)
        entries = [] if record is None else await history(request.app.state.receiver.redis, record.repo_id)
    except UNREACHABLE:
        return unavailable()
    if record is None:
        return not_found()
    page = render_trend_html(record, entries or [record.latest], verity_version())
    return Response(page, media_type="text/html; charset=utf-8", headers=SHOWN_HEADERS)


@functools.cache
def verity_version() -> str:
    """Return the installed version of Verity, read once."""
    try:
        return version("verity")
    except PackageNotFoundError:
        return "0+unknown"
