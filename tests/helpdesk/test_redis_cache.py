"""The Redis cache keeps one client per connection pool (helpdesk.lib.redis_cache):
Django's makes a new one for each call. It runs against the Redis CI starts."""

import os

import pytest
from django.conf import settings

from helpdesk.lib.redis_cache import Cache

URL = os.environ.get("CACHE_URL") or settings.REDIS_URL or "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    cache = Cache(URL, {"KEY_PREFIX": "test-redis-cache", "OPTIONS": {"socket_timeout": 1}})
    yield cache
    cache.delete_many(["a", "b", "count", "window"])


def test_a_pool_is_asked_through_one_client(redis_cache):
    client = redis_cache._cache  # the backend's own client wrapper

    assert client.get_client() is client.get_client()
    assert client.get_client(write=True) is client.get_client(write=True)


def test_values_go_in_and_come_out_as_with_djangos_backend(redis_cache):
    redis_cache.set("a", {"agents": [1, 2]}, 30)
    redis_cache.set_many({"b": "two"}, 30)
    assert redis_cache.add("count", 1) and not redis_cache.add("count", 5)
    redis_cache.incr("count")

    assert redis_cache.get("a") == {"agents": [1, 2]}
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": {"agents": [1, 2]}, "b": "two"}
    assert redis_cache.get("count") == 2
    redis_cache.delete("a")
    assert redis_cache.get("a") is None


def test_a_window_counts_from_one_and_expires_from_its_first_use(redis_cache):
    assert [redis_cache.count_in_window("window", 30) for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("window") == 3  # read back as the cache's other values are
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_and_validate_key("window")
    assert 0 < client.ttl(key) <= 30
    client.expire(key, 5)
    redis_cache.count_in_window("window", 30)
    assert client.ttl(key) <= 5  # a later use does not lengthen the window

    client.delete(key)
    assert redis_cache.count_in_window("window", 30) == 1  # a new window starts at one


def test_the_site_uses_it_when_redis_is_configured():
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend == "helpdesk.lib.redis_cache.Cache"
    else:
        assert backend == "django.core.cache.backends.filebased.FileBasedCache"
