"""Start-up checks of the configuration that Django's own checks do not cover."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

logger = logging.getLogger(__name__)


def site_url_problem(value: str) -> str:
    """Why SITE_URL cannot be the base of links in mail, or "" if it can."""
    if not value:
        return "SITE_URL is not set: links in mail would lead nowhere."
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"SITE_URL {value!r} is not an address such as https://help.example.com."
    if parts.query or parts.fragment:
        return f"SITE_URL {value!r} must not carry a query or a fragment."
    return ""


@register()
def site_url_check(app_configs=None, **kwargs):
    """In production, every mailed link is built from SITE_URL: say so when it is wrong."""
    problem = site_url_problem(settings.SITE_URL) if settings.PRODUCTION else ""
    return [Warning(problem, id="helpdesk.W001")] if problem else []


def warn_at_start() -> None:
    """Log the check's warnings when a process starts (gunicorn and Celery run no checks)."""
    for warning in site_url_check():
        logger.warning("%s (%s)", warning.msg, warning.id)
