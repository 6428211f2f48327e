"""Rows every request reads and few requests change, kept in the shared cache.

A desk page offers the same agents, teams and categories, and every new case reads
the same response-time policies: reading them is cheap for the database but costs a
millisecond or more of the ORM's time per query. `kept` reads them once and keeps the
result; whoever changes them calls `kept_drop` (from a post_save/post_delete signal).
The expiry bounds how long a change made behind the ORM's back goes unseen. When the
cache fails, the rows are read every time (and the cache is left alone for a while,
see helpdesk.lib.ratelimit.cache_breaker): nothing waits on a broken cache.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

from helpdesk.lib.ratelimit import cache_breaker

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What a process took from the shared cache with `memo=True`, for a few seconds: a page
# that reads the same lists on every request asks Redis once in that while. Another
# process's change shows here within MEMO_SECONDS; this process's own at once
# (kept_drop). Keyed by the cache's key prefix too, so nothing crosses from one
# configuration (a test's) to another. The values are shared: callers only read them.
MEMO_SECONDS = 5
memo: dict[tuple[str, str], tuple[float, object]] = {}
clock = time.monotonic


def kept(key: str, read: Callable[[], T], seconds: int, *, remember: bool = False) -> T:
    """The value kept under `key`, or `read()` now (and kept for `seconds`); with
    `remember`, also held in this process for MEMO_SECONDS."""
    if remember:
        held = memo.get((getattr(cache, "key_prefix", ""), key))
        if held is not None and held[0] > clock():
            return held[1]
        value = kept(key, read, seconds)
        memo[(getattr(cache, "key_prefix", ""), key)] = (clock() + MEMO_SECONDS, value)
        return value
    if cache_breaker.closed():
        try:
            value = cache.get(key)
        except Exception:
            cache_breaker.trip()
            value = None
        if value is not None:
            return value
    value = read()
    if cache_breaker.closed():
        try:
            cache.set(key, value, seconds)
        except Exception:
            cache_breaker.trip()
    return value


def kept_drop(key: str) -> None:
    """What is kept under `key` changed: drop it now, and again once the change is
    committed (a request reading between the two would have kept it as it was)."""

    def drop() -> None:
        for held in [held for held in memo if held[1] == key]:
            memo.pop(held, None)
        if not cache_breaker.closed():
            return
        try:
            cache.delete(key)
        except Exception:
            # Not fatal: what is kept expires on its own.
            logger.warning("Could not drop %s from the cache.", key)

    drop()
    transaction.on_commit(drop)
