"""/healthz: is the desk running? For monitors and for people.

Public on purpose: a monitor or a load balancer asks without credentials. It shows only
statuses, round trips, counts and ages in our own words; never a host, an address, a
password or a row's content (health/checks.py). It needs no session and makes none, is
not rate limited, is never cached, and answers 200 when every check is ok, 503 otherwise.
JSON for `?format=json` or a client that prefers `application/json`; a short page else.
"""

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from health import checks

FORMATS = ("json", "html")
LABELS = {
    "database": _("Database"),
    "broker": _("Broker"),
    "cache": _("Cache"),
    "outbox": _("Mail waiting to be sent"),
    "beat": _("Beat (the scheduler)"),
    "worker": _("Worker"),
}
STATUSES = {checks.OK: _("OK"), checks.DOWN: _("Down"), checks.UNKNOWN: _("Unknown")}


@require_safe
@never_cache
def healthz(request):
    wanted = request.GET.get("format")
    if wanted is not None and wanted not in FORMATS:
        return HttpResponseBadRequest("format must be json or html.", content_type="text/plain")
    if wanted is None:
        preferred = request.get_preferred_type(["text/html", "application/json"])
        wanted = "json" if preferred == "application/json" else "html"
    results = checks.run_all()
    healthy = all(result.status == checks.OK for result in results)
    status = 200 if healthy else 503
    if wanted == "json":
        body = {
            "status": "ok" if healthy else "down",
            "checked_at": timezone.now().isoformat(timespec="seconds"),
            "checks": {result.name: result.as_json() for result in results},
        }
        response = JsonResponse(body, status=status)
    else:
        # Without the request: no context processor reads the session or the user, so the
        # page shows whatever state the database is in, and the same for everyone.
        rows = [
            {"label": LABELS[result.name], "status": STATUSES[result.status], "result": result}
            for result in results
        ]
        page = render_to_string("health/healthz.html", {"healthy": healthy, "rows": rows})
        response = HttpResponse(page, status=status)
    patch_vary_headers(response, ["Accept"])
    return response
