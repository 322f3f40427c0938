"""Sorting GitHub failures into retry-later and give-up, and the waits GitHub asks for."""

from __future__ import annotations

import httpx

from app.github.errors import retry_after_of
from app.jobs.runtime import RetryPolicy


def test_retry_after_header_wins() -> None:
    assert retry_after_of(httpx.Headers({"Retry-After": "7", "x-ratelimit-reset": "999"}), now=0) == 7.0


def test_rate_limit_reset_counts_only_when_exhausted() -> None:
    exhausted = httpx.Headers({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060"})
    assert retry_after_of(exhausted, now=1000) == 60.0
    left = httpx.Headers({"x-ratelimit-remaining": "10", "x-ratelimit-reset": "1060"})
    assert retry_after_of(left, now=1000) == 0.0
    assert retry_after_of(httpx.Headers({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "900"}), now=1000) == 0.0


def test_backoff_grows_and_never_undercuts_retry_after() -> None:
    policy = RetryPolicy(base_seconds=1.0, cap_seconds=100.0)
    assert 0.8 <= policy.delay(0) <= 1.0
    assert 6.4 <= policy.delay(3) <= 8.0
    assert policy.delay(0, retry_after=30.0) == 30.0
    assert policy.delay(10) <= 100.0
    assert policy.delay(0, retry_after=10_000) == 100.0
