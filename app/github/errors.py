"""What can go wrong talking to GitHub, sorted into retry-later and give-up."""

from __future__ import annotations

import time

import httpx
from githubkit.exception import (
    GitHubException,
    GraphQLFailed,
    RateLimitExceeded,
    RequestError,
    RequestFailed,
    RequestTimeout,
)

RETRIABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class GitHubError(RuntimeError):
    """GitHub refused a request for a reason a retry will not fix (e.g. 404, 422)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class TransientGitHubError(RuntimeError):
    """GitHub is rate limiting or failing for now; retry no sooner than `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_of(headers: httpx.Headers, now: float | None = None) -> float:
    """Return the wait GitHub asks for: `Retry-After`, else `x-ratelimit-reset` when exhausted."""
    value = headers.get("retry-after", "")
    if value.isdigit():
        return float(value)
    reset = headers.get("x-ratelimit-reset", "")
    if reset.isdigit() and headers.get("x-ratelimit-remaining") == "0":
        return max(0.0, float(reset) - (time.time() if now is None else now))
    return 0.0


def classify(exc: GitHubException, what: str) -> Exception:
    """Turn a githubkit error into a TransientGitHubError or a GitHubError naming the request."""
    if isinstance(exc, RequestFailed):
        return _answered(exc, what)
    if isinstance(exc, RequestTimeout):
        return TransientGitHubError(f"{what}: timed out")
    if isinstance(exc, RequestError):
        return TransientGitHubError(f"{what}: {type(exc.exc).__name__}")
    if isinstance(exc, GraphQLFailed):
        return GitHubError(f"{what}: GraphQL error {exc.response.errors[0].message if exc.response.errors else ''}")
    return GitHubError(f"{what}: {type(exc).__name__}")


def _answered(exc: RequestFailed, what: str) -> Exception:
    """Classify a request GitHub answered with an error status, rate limits first."""
    headers = exc.response.raw_response.headers
    status = exc.response.status_code
    if isinstance(exc, RateLimitExceeded):
        wait = max(exc.retry_after.total_seconds(), retry_after_of(headers))
        return TransientGitHubError(f"{what}: rate limited ({status})", wait)
    if status in RETRIABLE_STATUS:
        return TransientGitHubError(f"{what}: GitHub answered {status}", retry_after_of(headers))
    return GitHubError(f"{what}: GitHub answered {status}", status)
