"""The retry policy against a real SMTP server that refuses for a while, in simulated
time: the relay runs every two seconds, as beat runs it."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
import time_machine

from outbox.models import OutboundEmail
from tests.outbox.relay import mail_stored, relay_until

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARIA = "maria@customer.example"


def at(minutes=0, seconds=0, hours=0):
    return START + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def test_a_five_minute_outage_is_retried_with_growing_waits_and_the_mail_leaves_after(
    mail_server,
):
    mail_server.outage()  # 451 4.3.0 Try again later
    with time_machine.travel(START, tick=False) as clock:
        email = mail_stored(MARIA, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT)
        relay_until(clock, at(5))
        mail_server.recover()
        relay_until(clock, at(30))

    tries = mail_server.tried(MARIA)
    # Each wait is half as long as the mail has been failing, 30 seconds at least, and
    # falls on the relay's next pass (every two seconds).
    assert tries == [at(0), at(0, 30), at(1), at(1, 30), at(2, 16), at(3, 24), at(5, 6)]
    assert [later - earlier for earlier, later in pairwise(tries)] == [
        timedelta(seconds=seconds) for seconds in (30, 30, 30, 46, 68, 102)
    ]
    email.refresh_from_db()
    assert (email.sent_at, email.failed_at, email.attempts) == (at(5, 6), None, 7)
    assert (email.failing_since, email.last_error) == (at(0), "")
    assert mail_server.delivered_to() == [MARIA]


def test_after_the_outage_every_waiting_mail_goes_out_within_half_as_long(mail_server):
    mail_server.outage()
    stored_at = [at(0), at(1, 10), at(3), at(4, 58)]
    with time_machine.travel(START, tick=False) as clock:
        for n, moment in enumerate(stored_at):
            relay_until(clock, moment)
            mail_stored(f"customer{n}@customer.example")
        relay_until(clock, at(5))
        assert not OutboundEmail.objects.filter(sent_at__isnull=False).exists()
        mail_server.recover()
        relay_until(clock, at(30))

    sent = list(OutboundEmail.objects.order_by("pk").values_list("sent_at", flat=True))
    # The 9:01:10 mail last failed at 9:04:34, after 3:24 of failing: it waits 1:42.
    assert sent == [at(5, 6), at(6, 16), at(5, 16), at(5, 28)]
    assert max(sent) - at(5) <= timedelta(minutes=5) / 2
    assert [mail_server.tried(to)[-1] for to in mail_server.delivered_to()] == sorted(sent)
    assert len(mail_server.received) == 4


def test_after_a_long_outage_every_waiting_mail_goes_out_within_the_ten_minute_cap(
    mail_server,
):
    mail_server.outage()
    with time_machine.travel(START, tick=False) as clock:
        for n in range(6):
            relay_until(clock, at(17 * n))
            mail_stored(f"customer{n}@customer.example")
        relay_until(clock, at(hours=2))
        mail_server.recover()
        relay_until(clock, at(hours=3))

    for email in OutboundEmail.objects.all():
        tries = mail_server.tried(email.to)
        assert max(later - earlier for earlier, later in pairwise(tries)) == timedelta(minutes=10)
        assert at(hours=2) < email.sent_at <= at(hours=2, minutes=10)
    assert len(mail_server.received) == 6


def test_a_mail_is_tried_for_24_hours_ten_minutes_apart_at_most_then_given_up(mail_server):
    mail_server.outage()
    with time_machine.travel(START, tick=False) as clock:
        email = mail_stored(MARIA)
        relay_until(clock, at(hours=23, minutes=59, seconds=58))
        email.refresh_from_db()
        assert email.failed_at is None  # not before 24 hours
        relay_until(clock, at(hours=30))

    tries = mail_server.tried(MARIA)
    waits = [later - earlier for earlier, later in pairwise(tries)]
    assert waits == sorted(waits)  # they grow
    assert max(waits) == timedelta(minutes=10)
    # 0, 0:30, 1, 1:30, 2:16, 3:24, 5:06, 7:40, 11:30, 17:16, 25:54, then every ten
    # minutes: the last try is the first past a day, at 24:05:54.
    assert tries[10] == at(25, 54)
    assert tries[-2:] == [at(hours=23, minutes=55, seconds=54), at(hours=24, minutes=5, seconds=54)]
    assert len(tries) == 11 + 142
    email.refresh_from_db()
    assert (email.failed_at, email.sent_at, email.attempts) == (tries[-1], None, len(tries))
    assert email.last_error == "451 4.3.0 Try again later"


@pytest.mark.parametrize(
    "answer",
    [
        {"refused": {MARIA: "550 5.1.1 No such user"}},
        {"refused": {MARIA: "553 5.1.3 Bad destination mailbox address syntax"}},
        {"data_answer": "554 5.6.0 Message content refused"},
    ],
    ids=["no such user", "bad address", "content refused"],
)
def test_a_refusal_for_good_is_given_up_on_at_once_and_other_mail_goes_out(mail_server, answer):
    for name, value in answer.items():
        setattr(mail_server, name, value)
    with time_machine.travel(START, tick=False) as clock:
        refused = mail_stored(MARIA)
        relay_until(clock, at(1))
        mail_server.data_answer = "250 2.0.0 Queued"
        other = mail_stored("ben@customer.example")
        relay_until(clock, at(hours=2))

    refused.refresh_from_db()
    other.refresh_from_db()
    assert (refused.failed_at, refused.attempts, refused.sent_at) == (at(0), 1, None)
    said = answer.get("data_answer") or answer["refused"][MARIA]
    assert refused.last_error == said
    assert mail_server.tried(MARIA) == [at(0)]
    assert other.sent_at == at(1)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("recipient_answer", "451 4.3.0 Try again later", "451 4.3.0 Try again later"),
        ("recipient_answer", "452 4.2.2 Mailbox full", "452 4.2.2 Mailbox full"),
        ("greeting", "421 4.3.2 Service not available", "421 4.3.2 Service not available"),
        ("greeting", None, "SMTPServerDisconnected: Connection unexpectedly closed"),
        # Our own sender refused: the operator's to put right, every mail waits for it.
        ("mail_answer", "550 5.7.1 Sender not allowed", "550 5.7.1 Sender not allowed"),
    ],
    ids=["try again later", "mailbox full", "not available", "hangs up", "sender refused"],
)
def test_a_passing_failure_is_tried_again_30_seconds_later(mail_server, name, value, said):
    setattr(mail_server, name, value)
    with time_machine.travel(START, tick=False) as clock:
        email = mail_stored(MARIA)
        relay_until(clock, at(0, 2))

    email.refresh_from_db()
    assert (email.failed_at, email.sent_at, email.attempts) == (None, None, 1)
    assert (email.last_error, email.failing_since) == (said, at(0))
    assert email.next_attempt_at == at(0, 30)


def test_a_server_that_cannot_be_reached_is_tried_again(mail_server, settings):
    mail_server.stop()
    with time_machine.travel(START, tick=False) as clock:
        email = mail_stored(MARIA)
        relay_until(clock, at(0, 2))

    email.refresh_from_db()
    assert (email.failed_at, email.next_attempt_at) == (None, at(0, 30))
    assert email.last_error.startswith("ConnectionRefusedError: ")
