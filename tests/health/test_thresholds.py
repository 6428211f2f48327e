"""When /healthz calls mail stuck, beat late and a worker silent: the minute at the limit
is still on time, the second after it is not."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.health.helpers import heartbeat_at, mail_stored_at

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def checks_of(client):
    response = client.get("/healthz", {"format": "json"})
    return response.status_code, response.json()["checks"]


def test_the_outbox_figure_is_the_age_of_the_oldest_unsent_mail(client, clock):
    heartbeat_at(beat=NOW, worker=NOW)
    mail_stored_at(NOW - timedelta(minutes=7))
    mail_stored_at(NOW - timedelta(minutes=2))
    # Neither a sent mail nor one given up on is waiting, however old.
    mail_stored_at(NOW - timedelta(hours=3), sent_at=NOW - timedelta(hours=2))
    mail_stored_at(NOW - timedelta(days=2), failed_at=NOW - timedelta(days=1))

    status, checks = checks_of(client)

    assert status == 200
    assert checks["outbox"] == {
        "status": "ok",
        "figure": 420,
        "unit": "s",
        "message": "2 mails are waiting, the oldest for 7\xa0minutes.",
    }


def test_an_empty_outbox_has_no_age(client, clock):
    heartbeat_at(beat=NOW, worker=NOW)

    status, checks = checks_of(client)

    assert status == 200
    assert checks["outbox"]["figure"] is None
    assert checks["outbox"]["message"] == "No mail is waiting."


@pytest.mark.parametrize(
    ("waited", "status", "check"),
    [(timedelta(minutes=15), 200, "ok"), (timedelta(minutes=15) + SECOND, 503, "down")],
)
def test_mail_is_stuck_after_fifteen_minutes(client, clock, waited, status, check):
    heartbeat_at(beat=NOW, worker=NOW)
    mail_stored_at(NOW - waited)

    answered, checks = checks_of(client)

    assert (answered, checks["outbox"]["status"]) == (status, check)
    assert checks["outbox"]["figure"] == int(waited.total_seconds())


def test_a_stuck_mail_says_how_many_wait(client, clock):
    heartbeat_at(beat=NOW, worker=NOW)
    mail_stored_at(NOW - timedelta(minutes=40))
    mail_stored_at(NOW - timedelta(minutes=1))

    _status, checks = checks_of(client)

    assert checks["outbox"]["message"] == (
        "Mail is stuck: 2 mails are waiting, the oldest for 40\xa0minutes."
    )


@pytest.mark.parametrize(
    ("ago", "status", "check"),
    [(timedelta(minutes=5), 200, "ok"), (timedelta(minutes=5) + SECOND, 503, "down")],
)
def test_beat_is_late_after_five_minutes_without_a_heartbeat(client, clock, ago, status, check):
    heartbeat_at(beat=NOW - ago, worker=NOW)

    answered, checks = checks_of(client)

    assert (answered, checks["beat"]["status"]) == (status, check)
    assert checks["beat"]["figure"] == int(ago.total_seconds())


def test_an_age_under_a_minute_is_in_seconds(client, clock):
    heartbeat_at(beat=NOW - timedelta(seconds=1), worker=NOW - timedelta(seconds=59))

    _status, checks = checks_of(client)

    assert checks["beat"]["message"] == "Beat sent its heartbeat 1 second ago."
    assert checks["worker"]["message"] == "A worker ran the heartbeat 59 seconds ago."


def test_a_late_beat_says_since_when(client, clock):
    heartbeat_at(beat=NOW - timedelta(minutes=12), worker=NOW)

    _status, checks = checks_of(client)

    assert checks["beat"]["message"] == "Beat has sent no heartbeat for 12\xa0minutes."


@pytest.mark.parametrize(
    ("ago", "status", "check"),
    [(timedelta(minutes=5), 200, "ok"), (timedelta(minutes=5) + SECOND, 503, "down")],
)
def test_a_worker_is_silent_after_five_minutes_without_running_one(
    client, clock, ago, status, check
):
    heartbeat_at(beat=NOW, worker=NOW - ago)

    answered, checks = checks_of(client)

    assert (answered, checks["worker"]["status"]) == (status, check)
    assert checks["worker"]["figure"] == int(ago.total_seconds())


def test_a_silent_worker_says_since_when(client, clock):
    heartbeat_at(beat=NOW, worker=NOW - timedelta(minutes=9))

    _status, checks = checks_of(client)

    assert checks["worker"]["message"] == "No worker has run a heartbeat for 9\xa0minutes."


def test_with_beat_late_the_worker_is_not_known_rather_than_blamed(client, clock):
    heartbeat_at(beat=NOW - timedelta(minutes=30), worker=NOW - timedelta(minutes=30))

    status, checks = checks_of(client)

    assert status == 503
    assert checks["beat"]["status"] == "down"
    assert checks["worker"]["status"] == "unknown"
    assert checks["worker"]["figure"] == 1800


def test_nothing_recorded_yet_is_beat_down(client, clock):
    status, checks = checks_of(client)

    assert status == 503
    assert checks["beat"] == {
        "status": "down",
        "figure": None,
        "unit": "s",
        "message": "No heartbeat from beat has been recorded.",
    }
    assert checks["worker"]["status"] == "unknown"


def test_a_worker_that_never_ran_one_while_beat_runs_is_down(client, clock):
    heartbeat_at(beat=NOW, worker=None)

    _status, checks = checks_of(client)

    assert checks["worker"]["status"] == "down"
    assert checks["worker"]["message"] == "No worker has run a heartbeat yet."


def test_the_limits_are_settings(client, clock, settings):
    settings.HEALTH_BEAT_LATE_MINUTES = 10
    settings.HEALTH_WORKER_SILENT_MINUTES = 10
    settings.HEALTH_MAIL_STUCK_MINUTES = 60
    heartbeat_at(beat=NOW - timedelta(minutes=8), worker=NOW - timedelta(minutes=8))
    mail_stored_at(NOW - timedelta(minutes=30))

    status, _checks = checks_of(client)

    assert status == 200
