"""The heartbeat: beat stamps and records its send, a worker records its run, and neither
time ever goes back."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.signals import beat_init, worker_ready
from django.conf import settings
from django.db import OperationalError

from health import heartbeat as beats
from health.models import Heartbeat
from health.tasks import heartbeat
from helpdesk.celery import app as celery_app
from tests.health.helpers import heartbeat_at

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def row():
    return Heartbeat.objects.get(pk=Heartbeat.ROW)


def test_a_worker_records_its_run_and_the_time_beat_sent_it(clock):
    heartbeat.delay(sent_at=(NOW - timedelta(seconds=20)).isoformat())

    assert row().worker_ran_at == NOW
    assert row().beat_sent_at == NOW - timedelta(seconds=20)


def test_a_heartbeat_that_waited_in_the_queue_never_puts_beats_time_back(clock):
    heartbeat_at(beat=NOW - timedelta(seconds=10), worker=NOW - timedelta(minutes=3))

    heartbeat.delay(sent_at=(NOW - timedelta(seconds=70)).isoformat())

    assert row().beat_sent_at == NOW - timedelta(seconds=10)
    assert row().worker_ran_at == NOW


def test_the_second_of_two_heartbeats_moves_both_times_on(clock):
    heartbeat.delay(sent_at=(NOW - timedelta(minutes=1)).isoformat())
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        heartbeat.delay(sent_at=NOW.isoformat())

    assert row().beat_sent_at == NOW
    assert row().worker_ran_at == NOW + timedelta(minutes=1)
    assert Heartbeat.objects.count() == 1


def test_a_heartbeat_sent_by_hand_records_only_the_run(clock):
    heartbeat_at(beat=NOW - timedelta(minutes=2), worker=None)

    heartbeat.delay()

    assert (row().beat_sent_at, row().worker_ran_at) == (NOW - timedelta(minutes=2), NOW)


@pytest.mark.parametrize("sent_at", ["yesterday", "2026-11-30T08:59:00"])
def test_a_send_time_that_is_not_an_aware_iso_time_is_refused_and_nothing_is_stored(sent_at):
    with pytest.raises(ValueError):
        heartbeat.delay(sent_at=sent_at)

    assert not Heartbeat.objects.exists()


def test_beat_stamps_its_send_time_on_the_heartbeat_and_records_it_as_it_sends(clock):
    celery_app.conf.task_always_eager = False  # publish for real, to an in-memory broker
    with celery_app.connection_for_write("memory://") as connection:
        celery_app.send_task(beats.TASK, connection=connection)
        queue = connection.SimpleQueue("celery")
        message = queue.get(timeout=1)
        message.ack()
        queue.close()

    _args, kwargs, _embed = message.decode()
    assert kwargs == {"sent_at": NOW.isoformat()}
    assert row().beat_sent_at == NOW
    assert row().worker_ran_at is None  # until a worker runs it


def test_other_tasks_are_sent_as_they_are(clock):
    body = ((), {"email_id": 3}, {})

    beats.stamp_heartbeat(sender="outbox.tasks.send_outbound_email", body=body)

    assert body == ((), {"email_id": 3}, {})
    assert not Heartbeat.objects.exists()


def test_a_beat_that_starts_and_a_worker_that_is_ready_count_at_once(clock):
    beat_init.send(sender=None)
    assert (row().beat_sent_at, row().worker_ran_at) == (NOW, None)

    worker_ready.send(sender=None)
    assert row().worker_ran_at == NOW


def test_a_database_that_cannot_take_the_heartbeat_is_logged_and_beat_goes_on(caplog):
    def unreachable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    beats.record_outside_requests(unreachable, sent_at=NOW)

    assert "The heartbeat could not be recorded." in caplog.text


def test_beat_sends_the_heartbeat_every_minute_and_drops_one_older_than_the_silence_limit():
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]

    assert entry["task"] == "health.tasks.heartbeat" == beats.TASK
    assert entry["schedule"] == timedelta(minutes=1)
    assert entry["options"] == {"expires": settings.HEALTH_WORKER_SILENT_MINUTES * 60}
