"""Django's Redis cache, keeping one client per connection pool.

Django's RedisCacheClient makes a new redis.Redis for every operation ("a custom cache
client can be implemented", says its get_client). Making one sets up its ~170 response
callbacks: about 0.1 ms, more than Redis takes to answer a GET here, and a case's
workspace makes five cache calls. A client holds nothing but its pool and is safe to
share between threads, so each pool's client is made once. The pools stay Django's.
"""

import functools

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django calls self._client(connection_pool=pool): the same pool, the same client.
        self._client = functools.cache(self._client)


class Cache(RedisCache):
    """settings.CACHES' BACKEND: "helpdesk.lib.redis_cache.Cache"."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClient

    def count_in_window(self, key: str, timeout: int) -> int:
        """One more use of a counter that starts at 0 and lasts `timeout` seconds from its
        first use: cache.add then cache.incr, in one round trip instead of three (Django's
        incr first asks whether the key exists). The rate limiter's, on each form post."""
        key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=True)
        pipe.set(key, 0, nx=True, ex=timeout)
        pipe.incr(key)
        return pipe.execute()[1]
