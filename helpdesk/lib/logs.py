"""One log line per request and per Celery task, and what keeps secrets out of the logs.

A request's line (logger "helpdesk.requests"):

    method=GET path=/desk/cases/HD-000123/ status=200 ms=12.4 user=7 case=HD-000123

and a task's (logger "helpdesk.tasks"):

    task=outbox.tasks.send_outbound_email id=0f1e… outcome=success ms=41.0 case=-

The path has no query string, and a private link's token is masked (`/c/***/`): any
URL argument named in SECRET_ARGUMENTS, found by resolving the path, so the 301 to a
path without its slash and a 404 are masked too. No request body, header, cookie or
email address is logged. The case is the URL's `reference`, or one a view set as
`request.case_reference`; a task's, its `reference` or `case_reference` argument.
The same masking applies to Django's own request warnings (MaskPrivatePaths) and to
what is sent to Sentry (sentry_before_send).
"""

import logging
import re
import time
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from celery.signals import task_failure, task_postrun, task_prerun
from django.contrib.auth import SESSION_KEY
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject

request_logger = logging.getLogger("helpdesk.requests")
task_logger = logging.getLogger("helpdesk.tasks")

# URL arguments that carry a secret: the customer's private link and their data copy
# (/c/<token>/, /c/data/<token>/), Django's password reset link.
SECRET_ARGUMENTS = {"token", "uidb64"}
MASK = "***"
# A case reference as logged: short, no spaces or control characters (the value comes
# from the URL, typed by anyone).
REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
# Characters of a path written as they are; anything else (spaces, line breaks, "=",
# quotes, non-ASCII) percent-encoded, so a crafted path cannot forge a line or a field.
PATH_SAFE = "/-._~!$'()*+,:@"


def resolved(path: str):
    """The URL match of `path`, or of `path/` (where CommonMiddleware redirects), or None."""
    for candidate in (path, path + "/") if not path.endswith("/") else (path,):
        try:
            return resolve(candidate)
        except Resolver404:
            continue
    return None


def masked_path(path: str, match=None) -> str:
    """`path` without any secret URL argument, percent-encoded for a log line."""
    match = match or resolved(path)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_ARGUMENTS and isinstance(value, str) and value:
                path = path.replace(f"/{value}", f"/{MASK}")
    return quote(path, safe=PATH_SAFE)


def loggable_reference(value) -> str:
    return value if isinstance(value, str) and REFERENCE.match(value) else "-"


def user_id(request) -> str:
    """The signed-in user's id, without a query of its own: from request.user where a
    view (or the API's authentication) already loaded it, else from a session already read."""
    user = getattr(request, "user", None)
    if user is not None and type(user) is not SimpleLazyObject:
        return str(user.pk) if user.is_authenticated else "-"
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return str(session.get(SESSION_KEY) or "-")
    return "-"


class RequestLogMiddleware:
    """First in MIDDLEWARE, so the line covers every request, redirects included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        duration = (time.perf_counter() - start) * 1000
        # No match where a middleware answered before the URL was resolved (a redirect to
        # the slash, a refused body, a static file): resolved here to find secrets.
        match = getattr(request, "resolver_match", None) or resolved(request.path_info)
        reference = getattr(request, "case_reference", None) or (
            match.kwargs.get("reference") if match else None
        )
        request_logger.info(
            "method=%s path=%s status=%s ms=%.1f user=%s case=%s",
            quote(request.method, safe=""),
            masked_path(request.path, match),
            response.status_code,
            duration,
            user_id(request),
            loggable_reference(reference),
        )
        return response


class MaskPrivatePaths(logging.Filter):
    """A logger's filter (settings.LOGGING): private tokens out of the paths Django's own
    loggers write ("Not Found: /c/<token>/" from django.request, the dev server's request
    line, its query string dropped)."""

    REQUEST_LINE = re.compile(r"^(\S+) (\S+)( HTTP/\S+)$")

    def filter(self, record):
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(self.masked(arg) for arg in record.args)
        return True

    def masked(self, arg):
        if not isinstance(arg, str):
            return arg
        line = self.REQUEST_LINE.match(arg)
        if line:
            method, target, version = line.groups()
            return f"{method} {masked_path(unquote(urlsplit(target).path))}{version}"
        if arg.startswith("/"):
            return masked_path(urlsplit(arg).path)
        return arg


# Task id -> when it started, between task_prerun and task_postrun (thread-safe enough:
# each key is written and removed by the thread that runs the task).
started: dict[str, float] = {}
failed: dict[str, str] = {}


def task_started(task_id=None, **kwargs):
    started[task_id] = time.perf_counter()


def task_failed(task_id=None, exception=None, **kwargs):
    # The exception's class only: its text may hold an address or a recipient.
    failed[task_id] = type(exception).__name__


def task_finished(
    task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **extra
):
    start = started.pop(task_id, None)
    error = failed.pop(task_id, None)
    duration = (time.perf_counter() - start) * 1000 if start is not None else 0.0
    named = kwargs or {}
    reference = named.get("reference") or named.get("case_reference")
    # No state: the task raised and the error went on to its caller (an eager call).
    outcome = (state or "failure").lower()
    # A beat pass that found nothing to do (the outbox relay every two seconds, the
    # heartbeat) is DEBUG: at INFO the log would be mostly idle passes. A failure is a
    # warning.
    if error or outcome != "success":
        level = logging.WARNING
    elif not retval:
        level = logging.DEBUG
    else:
        level = logging.INFO
    task_logger.log(
        level,
        "task=%s id=%s outcome=%s ms=%.1f case=%s%s",
        getattr(task, "name", "?"),
        task_id,
        outcome,
        duration,
        loggable_reference(reference),
        f" error={error}" if error else "",
    )


def connect_task_log() -> None:
    task_prerun.connect(task_started, weak=False, dispatch_uid="helpdesk-task-log-start")
    task_failure.connect(task_failed, weak=False, dispatch_uid="helpdesk-task-log-failure")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="helpdesk-task-log-end")


def sentry_before_send(event, hint):
    """Sentry's before_send: the request's URL with its token masked, no query string
    (search words, addresses), no cookies."""
    request = event.get("request")
    if isinstance(request, dict):
        url = request.get("url")
        if isinstance(url, str):
            parts = urlsplit(url)
            path = masked_path(unquote(parts.path))
            request["url"] = urlunsplit(parts._replace(path=path, query=""))
        request.pop("query_string", None)
        request.pop("cookies", None)
    return event
