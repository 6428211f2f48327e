from celery import shared_task
from django.utils import timezone

from health.heartbeat import parse_sent_at, run_record


@shared_task
def heartbeat(sent_at: str | None = None) -> None:
    """Beat's heartbeat, sent every minute: the worker that runs it records the run.

    `sent_at` is stamped by beat as it sends (health.heartbeat.stamp_heartbeat).
    """
    run_record(ran_at=timezone.now(), sent_at=parse_sent_at(sent_at) if sent_at else None)
