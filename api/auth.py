"""Who calls the API: an integration with a token (`Authorization: Bearer hd_…`), or an
agent signed in on the desk (its session, with DRF's CSRF check)."""

import math
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from api.models import ApiToken, key_hash
from helpdesk.lib.ratelimit import allowance_take

# A token's last use is written at most this often (not on every request).
LAST_USED_EVERY = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send one token: Authorization: Bearer <token>.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = ApiToken.objects.filter(key_hash=key_hash(key)).first()
        now = timezone.now()
        if token is None or not token.usable(now):
            # The same answer for a wrong, revoked or expired token.
            raise exceptions.AuthenticationFailed("The token is not valid.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return AnonymousUser(), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class AgentSession(authentication.SessionAuthentication):
    """The desk's own pages: a signed-in agent, who may do what they do on the desk."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None or not hasattr(found[0], "agent"):
            return None
        return found


class HasScope(permissions.BasePermission):
    """A token needs the view's resource scope, read for safe methods and write for the
    rest; an agent's session may read and write what the desk lets them."""

    message = "This token may not do that."

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiToken):
            access = "read" if request.method in permissions.SAFE_METHODS else "write"
            return request.auth.allows(f"{view.resource}:{access}")
        return bool(request.user and request.user.is_authenticated)


class ManagersWrite(HasScope):
    """Managers' resources (articles): a token with the scope, or for writes by session a
    manager (staff), as in admin."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS or isinstance(request.auth, ApiToken):
            return True
        return request.user.is_staff


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes a token."""

    target_class = "api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token a manager made in admin: `Bearer hd_…`.",
        }


class AgentSessionScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the desk's own session."""

    target_class = "api.auth.AgentSession"
    name = "agentSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class TokenRate(throttling.BaseThrottle):
    """Each token (or agent) may make API_REQUESTS_PER_MINUTE requests a minute; past that
    the answer is 429 with Retry-After (helpdesk.lib.ratelimit: a cache that is down
    lets requests through rather than refuse them all)."""

    period = 60

    def allow_request(self, request, view):
        if isinstance(request.auth, ApiToken):
            identity = f"token:{request.auth.pk}"
        else:
            identity = f"user:{request.user.pk}"
        limit = settings.API_REQUESTS_PER_MINUTE
        return allowance_take(scope="api", identity=identity, limit=limit, period=self.period)

    def wait(self):
        return math.ceil(self.period - time.time() % self.period)
