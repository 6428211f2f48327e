"""A fixed-window rate limit kept in the shared cache (Redis in production)."""

import hashlib
import time

from django.core.cache import cache


def client_address(request) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limit_allows(
    request, *, scope: str, limit: int, period: int, identity: str | None = None
) -> bool:
    """Count this request against an allowance (the client address's, or another identity's,
    such as an email address); False once it is used up."""
    window = int(time.time() // period)
    who = hashlib.sha256((identity or client_address(request)).encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{who}:{window}"
    try:
        cache.add(key, 0, timeout=period)
        count = cache.incr(key)
    except Exception:
        # If the cache is unreachable, accept the request rather than lose it.
        return True
    return count <= limit
