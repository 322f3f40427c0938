"""GitHub I/O as the App: a JWT, then installation tokens cached until they expire.

githubkit's own retries are off: a worker turns rate limits and 5xx answers into Celery retries
that honour Retry-After, so no worker sleeps on a rate limit while holding a job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from githubkit import AppAuthStrategy, GitHub, TokenAuthStrategy
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException

from app.github.errors import GitHubError, classify
from config.settings import Settings

TIMEOUT_SECONDS = 30.0
REFRESH_MARGIN = 300.0  # renew a token five minutes before GitHub expires it
PER_PAGE = 100
MAX_PAGES = 30


@dataclass(frozen=True)
class Token:
    """An installation token; its value never appears in a repr, a log or an error."""

    value: str = field(repr=False)
    expires_at: float


def _github(settings: Settings, auth: AppAuthStrategy | TokenAuthStrategy) -> GitHub[Any]:
    """Return a githubkit client against the configured API, with retries and HTTP caching off.

    Each client has its own cache: githubkit's default one is shared by the whole process, and would
    hand one key's JWT to a client holding another key.
    """
    return GitHub(
        auth,
        cache_strategy=MemCacheStrategy(),
        base_url=settings.github_api_url + "/",
        auto_retry=False,
        http_cache=False,
        timeout=TIMEOUT_SECONDS,
        user_agent="verity-app",
    )


class InstallationTokens:
    """Mint installation tokens with the App's JWT and keep each until shortly before expiry."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app = _github(settings, AppAuthStrategy(settings.app_id, settings.private_key))
        self._tokens: dict[int, Token] = {}
        self._lock = threading.Lock()

    def get(self, installation_id: int) -> Token:
        """Return a valid token for an installation, minting one when needed."""
        with self._lock:
            token = self._tokens.get(installation_id)
            if token is None or token.expires_at - time.time() < REFRESH_MARGIN:
                token = self._mint(installation_id)
                self._tokens[installation_id] = token
            return token

    def _mint(self, installation_id: int) -> Token:
        """Ask GitHub for a new installation token."""
        what = f"POST /app/installations/{installation_id}/access_tokens"
        try:
            data = self._app.request("POST", f"/app/installations/{installation_id}/access_tokens").json()
        except GitHubException as exc:
            raise classify(exc, what) from None
        try:
            expires = datetime.fromisoformat(str(data["expires_at"]).replace("Z", "+00:00")).timestamp()
            return Token(value=str(data["token"]), expires_at=expires)
        except (KeyError, ValueError, TypeError):
            raise GitHubError(f"{what}: unexpected answer") from None


class GitHubClient:
    """REST and GraphQL calls as one installation; inside `with`, every call shares one HTTP client."""

    def __init__(self, settings: Settings, token: Token) -> None:
        self._gh = _github(settings, TokenAuthStrategy(token.value))

    def __enter__(self) -> GitHubClient:
        # Outside `with`, githubkit builds an httpx client (and its TLS context) for every call.
        self._gh.__enter__()  # type: ignore[no-untyped-call]
        return self

    def __exit__(self, *exc: object) -> None:
        self._gh.__exit__(None, None, None)

    def rest(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        """Send one REST request and return its parsed JSON body (None when empty)."""
        try:
            response = self._gh.request(method, path, json=json, params=params)
        except GitHubException as exc:
            raise classify(exc, f"{method} {path}") from None
        return response.json() if response.content else None

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Yield every item of a paginated REST list (up to MAX_PAGES pages)."""
        for page in range(1, MAX_PAGES + 1):
            items = self.rest("GET", path, params={**(params or {}), "per_page": PER_PAGE, "page": page})
            if not isinstance(items, list):
                raise GitHubError(f"GET {path}: expected a list")
            yield from items
            if len(items) < PER_PAGE:
                return

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Send one GraphQL request and return its data."""
        try:
            return self._gh.graphql.request(query, variables)
        except GitHubException as exc:
            raise classify(exc, "POST /graphql") from None
