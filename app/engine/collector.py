"""Keep Python's cyclic garbage collector out of an audit's way.

An audit holds every file's facts at once: millions of small objects. Each full collection walks all
of them, and a warm audit of a big repository spent about a fifth of its time there. The engine makes
no reference cycles worth collecting (syntax trees, facts and findings are freed by reference
counting), so the collector is paused for the length of one audit and resumed after it. A forked
analysis process freezes what it inherited instead: its collections then walk only its own objects,
and never touch (and so copy) the parent's pages.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(func: Callable[P, R]) -> Callable[P, R]:
    """Run the wrapped function with the cyclic collector paused, resuming it as it was afterwards."""

    @functools.wraps(func)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


def start_forked_worker() -> None:
    """Start an analysis process: freeze the objects it inherited and collect only its own."""
    gc.freeze()
    gc.enable()
