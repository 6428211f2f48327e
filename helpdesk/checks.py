"""Start-up checks of the configuration that Django's own checks do not cover.

Django runs registered checks for `manage.py check` (and most commands); gunicorn and
Celery run none, so each process start calls the functions at the end of this module:
`warn_at_start` in every process (helpdesk.apps), `at_web_start` in helpdesk.wsgi and
`at_worker_start` on Celery's worker_init (helpdesk.celery).
"""

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# A start-up check must not hang on a frozen Redis: each socket step gives up after this.
REDIS_CHECK_TIMEOUT = 2
# What collectstatic leaves out by default; the manifest lists every other file found.
COLLECTSTATIC_IGNORED = ["CVS", ".*", "*~"]
COLLECT_FIX = "Run `manage.py collectstatic --no-input` or `manage.py release`."


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


@register()
def static_files_check(app_configs=None, **kwargs):
    """In production every page names its CSS and JS through WhiteNoise's manifest: without
    it, or with a file missing from it, the page is a 500. Say so before the first request."""
    if not settings.PRODUCTION:
        return []
    # The class's, not an instance's: an instance reads the manifest and fails on a bad one.
    manifest_name = getattr(
        import_string(settings.STORAGES["staticfiles"]["BACKEND"]), "manifest_name", None
    )
    if not manifest_name:
        return []
    where = Path(settings.STATIC_ROOT) / manifest_name
    try:
        collected = set(json.loads(where.read_text())["paths"])
    except FileNotFoundError:
        return [
            Error(
                f"Static files have not been collected ({where} is missing): every page "
                f"would answer 500. {COLLECT_FIX}",
                id="helpdesk.E001",
            )
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return [Error(f"{where} cannot be read. {COLLECT_FIX}", id="helpdesk.E001")]
    found = {
        path
        for finder in get_finders()
        for path, _storage in finder.list(COLLECTSTATIC_IGNORED)
        if path != manifest_name
    }
    missing = sorted(found - collected)
    if missing:
        return [
            Error(
                f"Static files were collected for another version: {where} lacks "
                f"{len(missing)} of this version's files (for example {missing[0]}), and a "
                f"page that uses one would answer 500. {COLLECT_FIX}",
                id="helpdesk.E002",
            )
        ]
    return []


def redis_servers() -> dict[str, tuple[str, list[str]]]:
    """The Redis servers the broker and the caches use: {server: (a URL, [roles])}.

    The eviction policy belongs to the server, so two databases of one server are one.
    """
    uses = []
    broker = settings.CELERY_BROKER_URL
    if isinstance(broker, str) and broker.startswith(("redis://", "rediss://", "unix://")):
        uses += [(url, "the Celery broker") for url in broker.split(";") if url]
    for name, cache in settings.CACHES.items():
        if "redis" not in cache.get("BACKEND", "").lower():
            continue
        locations = cache.get("LOCATION", [])
        if isinstance(locations, str):
            locations = locations.split(",")
        role = "the cache" if name == "default" else f"the {name!r} cache"
        uses += [(url.strip(), role) for url in locations if url.strip()]
    servers: dict[str, tuple[str, list[str]]] = {}
    for url, role in uses:
        server = server_name(url)
        roles = servers.setdefault(server, (url, []))[1]
        if role not in roles:
            roles.append(role)
    return servers


def server_name(url: str) -> str:
    """host:port (or the socket's path) of a Redis URL, without its password or database."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def eviction_policy(url: str) -> str:
    """The server's maxmemory-policy; raises redis.RedisError when it cannot be had."""
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_CHECK_TIMEOUT,
        socket_timeout=REDIS_CHECK_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )
    try:
        return client.config_get("maxmemory-policy").get("maxmemory-policy", "")
    finally:
        client.close()


def redis_fix(server: str) -> str:
    if ":" in server:
        host, port = server.rsplit(":", 1)
        command = f"redis-cli -h {host} -p {port} CONFIG SET maxmemory-policy noeviction"
    else:
        command = f"redis-cli -s {server} CONFIG SET maxmemory-policy noeviction"
    return (
        f"Fix: `{command}` now, and the line `maxmemory-policy noeviction` in redis.conf "
        "(/etc/redis/redis.conf on Debian) so that it stays after a restart."
    )


@register("redis", deploy=True)
def redis_eviction_check(app_configs=None, **kwargs):
    """A Redis that may evict keys drops queued tasks without a word: warn unless its
    maxmemory-policy is noeviction. Bounded by REDIS_CHECK_TIMEOUT per socket step."""
    warnings = []
    for server, (url, roles) in redis_servers().items():
        what = f"Redis at {server} ({' and '.join(roles)})"
        at_risk = (
            "queued tasks (mail, reminders, sweeps) can be dropped without a trace"
            if "the Celery broker" in roles
            else "rate-limit counts and cached rows can be dropped early"
        )
        try:
            policy = eviction_policy(url)
        except redis.ResponseError as error:
            warnings.append(
                Warning(
                    f"{what}: its maxmemory-policy could not be checked (CONFIG GET was "
                    f"refused: {error}). Make sure it is noeviction, or {at_risk}. "
                    "On a managed Redis, set it in the provider's parameters; "
                    f"{redis_fix(server)}",
                    id="helpdesk.W004",
                )
            )
            continue
        except (redis.RedisError, OSError) as error:
            warnings.append(
                Warning(
                    f"{what} could not be reached ({error.__class__.__name__}: {error}), so "
                    "its maxmemory-policy could not be checked. Start Redis or correct the "
                    "URL; it must not evict keys (maxmemory-policy noeviction).",
                    id="helpdesk.W003",
                )
            )
            continue
        if policy != "noeviction":
            warnings.append(
                Warning(
                    f"{what} may evict keys: its maxmemory-policy is {policy or 'not known'}, "
                    f"so when it fills up {at_risk}. {redis_fix(server)}",
                    id="helpdesk.W002",
                )
            )
    return warnings


def log_problems(problems) -> None:
    """Each problem on a line of its own that says what it is, whatever the log format."""
    for problem in problems:
        serious = problem.is_serious()
        logger.log(
            logging.ERROR if serious else logging.WARNING,
            "System check %s (%s): %s",
            "ERROR" if serious else "WARNING",
            problem.id,
            problem.msg,
        )


def warn_at_start() -> None:
    """Every process (helpdesk.apps): the cheap checks' warnings, no network."""
    log_problems(site_url_check())


def at_web_start() -> None:
    """gunicorn (helpdesk.wsgi): refuse to serve pages that could only be 500s; warn loudly
    about a Redis that may evict keys."""
    errors = static_files_check()
    if errors:
        log_problems(errors)
        raise ImproperlyConfigured(" ".join(f"{error.msg} ({error.id})" for error in errors))
    log_problems(redis_eviction_check())


def at_worker_start() -> None:
    """A Celery worker or beat (helpdesk.celery): warn loudly about a Redis that may evict
    keys."""
    log_problems(redis_eviction_check())
