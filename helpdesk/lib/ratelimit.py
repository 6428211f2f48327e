"""A fixed-window rate limit kept in the shared cache (Redis in production), and the
client address it counts by."""

import hashlib
import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The address of the person behind the request.

    The direct peer (REMOTE_ADDR), unless it is one of TRUSTED_PROXIES: then the
    right-most address in X-Forwarded-For that is not a trusted proxy, the last hop
    a trusted proxy saw. Anything left of it was written by the client and proves
    nothing; a header sent by a peer that is not a trusted proxy is ignored.
    """
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _is_trusted(hop, networks):
            return hop[:100]
    return peer


def client_ip(request) -> str | None:
    """client_address when it is an IP address, else None (a request made in code, such
    as a test's force_login, has none): for what stores it as one (django-axes)."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def rate_limit_allows(
    request, *, scope: str, limit: int, period: int, identity: str | None = None
) -> bool:
    """Count this request against an allowance (the client address's, or another identity's,
    such as an email address); False once it is used up."""
    return allowance_take(
        scope=scope, identity=identity or client_address(request), limit=limit, period=period
    )


def allowance_take(*, scope: str, identity: str, limit: int, period: int) -> bool:
    """Count one use of an identity's allowance in a fixed window of `period` seconds;
    False once `limit` uses are spent. The one rate limiter of the project."""
    if not cache_breaker.closed():
        return True
    window = int(time.time() // period)
    who = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{who}:{window}"
    try:
        count = _counted(key, period)
    except Exception:
        # If the cache is unreachable, accept the request rather than lose it.
        cache_breaker.trip()
        return True
    return count <= limit


def _counted(key: str, period: int) -> int:
    # Redis counts in one round trip (helpdesk.lib.redis_cache); other caches add, then incr.
    in_window = getattr(cache, "count_in_window", None)
    if in_window is not None:
        return in_window(key, period)
    cache.add(key, 0, timeout=period)
    return cache.incr(key)


class CacheBreaker:
    """After the cache fails, it is left alone for `backoff` seconds: a frozen Redis would
    otherwise hold every request for its socket timeout. Requests are accepted meanwhile,
    as when the cache fails (a limit is a guard, losing a customer's message is worse)."""

    def __init__(self, backoff: float, clock=time.monotonic):
        self.backoff = backoff
        self.clock = clock
        self.failed_at = None

    def closed(self) -> bool:
        """True when the cache may be asked."""
        return self.failed_at is None or self.clock() - self.failed_at >= self.backoff

    def trip(self) -> None:
        self.failed_at = self.clock()


cache_breaker = CacheBreaker(backoff=30)
