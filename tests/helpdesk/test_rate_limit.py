"""The rate limiter counts in the cache, and a cache that fails or hangs costs a request once."""

import pytest

from helpdesk.lib import ratelimit
from helpdesk.lib.ratelimit import CacheBreaker, allowance_take


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit, "cache_breaker", CacheBreaker(backoff=30, clock=clock))
    return clock


def take(identity="203.0.113.9", limit=2):
    return allowance_take(scope="test", identity=identity, limit=limit, period=3600)


def test_the_limit_allows_that_many_then_refuses(clock):
    assert [take(), take(), take()] == [True, True, False]
    assert take(identity="198.51.100.1") is True  # another client has its own allowance


def test_a_failing_cache_is_asked_once_then_left_alone_for_the_backoff(clock, monkeypatch):
    calls = []

    class Frozen:
        def add(self, *args, **kwargs):
            calls.append(args)
            raise TimeoutError("Redis does not answer")

    monkeypatch.setattr(ratelimit, "cache", Frozen())

    assert take(limit=0) is True  # accepted, not lost
    assert take(limit=0) is True
    assert len(calls) == 1
    clock.now += 29.9
    assert take(limit=0) is True
    assert len(calls) == 1
    clock.now += 0.1
    assert take(limit=0) is True
    assert len(calls) == 2


def test_a_cache_that_answers_again_is_used_again(clock):
    ratelimit.cache_breaker.trip()
    assert take(limit=1) is True  # not counted: the cache is left alone
    clock.now += 30

    assert take(limit=1) is True
    assert take(limit=1) is False
