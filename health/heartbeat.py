"""The heartbeat: beat sends the task `health.tasks.heartbeat` every minute, a worker runs it.

Beat records its own send when it publishes the task, so a stopped worker is not taken for
a stopped beat, and stamps the time on the task as its `sent_at` argument; the worker
records when it ran it, and beat's time again in case beat could not write it. A beat that
starts and a worker that becomes ready count as a beat (and a run) at once, so a fresh
start is not reported down for its first minute. Times only move forward: a heartbeat
that waited in the queue never puts the clock back.
"""

import logging
from datetime import datetime

from celery.signals import beat_init, before_task_publish, worker_ready
from django.db import Error, IntegrityError, connection, transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone

from health.models import Heartbeat

logger = logging.getLogger(__name__)

TASK = "health.tasks.heartbeat"


def parse_sent_at(value: str) -> datetime:
    """The send time beat stamped on a heartbeat (ISO 8601 with its offset)."""
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        raise ValueError(f"sent_at {value!r} has no UTC offset")
    return moment


def later_of(field: str, moment: datetime) -> Case:
    """`field` set to `moment`, unless it already holds a later time."""
    return Case(
        When(**{f"{field}__gte": moment}, then=F(field)),
        default=Value(moment),
        output_field=DateTimeField(),
    )


def heartbeat_update(**values) -> None:
    """Update the one heartbeat row, making it first if it is not there yet."""
    rows = Heartbeat.objects.filter(pk=Heartbeat.ROW)
    if rows.update(**values):
        return
    try:
        with transaction.atomic():
            Heartbeat.objects.create(pk=Heartbeat.ROW)
    except IntegrityError:
        pass  # another process made it a moment ago
    rows.update(**values)


def beat_record(*, sent_at: datetime) -> None:
    heartbeat_update(beat_sent_at=later_of("beat_sent_at", sent_at))


def run_record(*, ran_at: datetime, sent_at: datetime | None) -> None:
    values = {"worker_ran_at": later_of("worker_ran_at", ran_at)}
    if sent_at is not None:
        values["beat_sent_at"] = later_of("beat_sent_at", sent_at)
    heartbeat_update(**values)


def record_outside_requests(record, **kwargs) -> None:
    """Write from beat or a worker's main process, never failing them: a database that
    does not answer is logged (and /healthz says so), and the connection is closed so the
    next minute's write starts on a fresh one."""
    try:
        record(**kwargs)
    except Error:
        logger.warning("The heartbeat could not be recorded.", exc_info=True)
    finally:
        # Inside a transaction (a test, a shell) the connection is someone else's.
        if not connection.in_atomic_block:
            connection.close()


def stamp_heartbeat(sender=None, body=None, **kwargs) -> None:
    """before_task_publish: beat's heartbeat carries its send time, and beat records it."""
    if sender != TASK:
        return
    _args, task_kwargs, _embed = body  # Celery's message protocol 2
    now = timezone.now()
    task_kwargs.setdefault("sent_at", now.isoformat())
    record_outside_requests(beat_record, sent_at=now)


def beat_started(**kwargs) -> None:
    record_outside_requests(beat_record, sent_at=timezone.now())


def worker_started(**kwargs) -> None:
    record_outside_requests(run_record, ran_at=timezone.now(), sent_at=None)


def connect_signals() -> None:
    before_task_publish.connect(stamp_heartbeat, weak=False, dispatch_uid="health-stamp")
    beat_init.connect(beat_started, weak=False, dispatch_uid="health-beat-init")
    worker_ready.connect(worker_started, weak=False, dispatch_uid="health-worker-ready")
