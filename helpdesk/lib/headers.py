"""Security headers on every response: Permissions-Policy (the desk asks for no camera,
microphone, location, payment or sensor, so no page, nor anything injected into one,
may) and the Content-Security-Policy, django-csp's with the admin's one allowance."""

from csp.middleware import CSPMiddleware

ADMIN_PREFIX = "/admin/"

POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), with one allowance on
    Django's admin pages: its scripts apply inline styles (a browser journey saw the
    policy refuse them on the login and policy pages), so there, and only there, styles
    may be inline. Scripts stay our own files everywhere."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts
