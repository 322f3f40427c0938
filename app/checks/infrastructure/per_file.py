"""Memoise a per-file computation so every check that needs it shares one result."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TypeVar

from app.checks.base import FileContext

T = TypeVar("T")


def per_file(compute: Callable[[FileContext], T]) -> Callable[[FileContext], T]:
    """Wrap a function of a file so it runs once per file; the cache dies with the file."""
    cache: weakref.WeakKeyDictionary[FileContext, T] = weakref.WeakKeyDictionary()

    @functools.wraps(compute)
    def cached(ctx: FileContext) -> T:
        if ctx not in cache:
            cache[ctx] = compute(ctx)
        return cache[ctx]

    return cached
