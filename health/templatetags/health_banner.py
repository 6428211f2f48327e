"""The admin index's warning banner: beat late, no worker running, mail stuck."""

from django import template
from django.utils import timezone

from health import checks

register = template.Library()


@register.inclusion_tag("health/_admin_banner.html")
def health_banner():
    """What /healthz would call down among beat, the worker and the outbox, in two indexed
    queries (the heartbeat row; the count and age of unsent mail on the pending index).
    A worker that has no heartbeat to run because beat is late is not named twice."""
    now = timezone.now()
    row = checks.heartbeat_row()
    results = [checks.beat(row, now), checks.worker(row, now), checks.outbox(now)]
    return {"warnings": [result.message for result in results if result.status == checks.DOWN]}
