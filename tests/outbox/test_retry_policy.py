"""The retry policy's rule, edge by edge: how long a failed mail waits, when it is given
up on, which refusals are for good, and what is kept of the error."""

import importlib
from datetime import UTC, datetime, timedelta
from smtplib import (
    SMTPConnectError,
    SMTPDataError,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
    SMTPServerDisconnected,
)

import pytest
import time_machine
from anymail.exceptions import AnymailRecipientsRefused
from django.apps import apps

from cases.models import Attachment
from outbox import delivery, retry
from outbox.models import OutboundEmail
from tests.factories import CaseFactory, MessageFactory
from tests.outbox.relay import mail_stored

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARIA = "maria@customer.example"


@pytest.mark.parametrize(
    ("failing_for", "wait"),
    [
        (timedelta(0), timedelta(seconds=30)),
        (timedelta(seconds=61), timedelta(seconds=30)),
        (timedelta(seconds=62), timedelta(seconds=31)),
        (timedelta(minutes=8), timedelta(minutes=4)),
        (timedelta(seconds=1199), timedelta(seconds=599)),
        (timedelta(seconds=1200), timedelta(seconds=600)),
        (timedelta(seconds=1202), timedelta(seconds=600)),
        (timedelta(hours=23), timedelta(seconds=600)),
    ],
)
def test_a_failed_mail_waits_half_as_long_as_it_has_been_failing_within_30_s_and_the_cap(
    failing_for, wait
):
    assert retry.retry_delay(failing_for) == wait


def test_the_cap_is_a_setting(settings):
    settings.OUTBOX_RETRY_MAX_DELAY_SECONDS = 120
    assert retry.retry_delay(timedelta(minutes=4)) == timedelta(minutes=2)
    assert retry.retry_delay(timedelta(minutes=6)) == timedelta(minutes=2)


@pytest.mark.parametrize(
    ("hours", "failing_for", "last"),
    [
        (24, timedelta(hours=24) - timedelta(seconds=1), False),
        (24, timedelta(hours=24), True),
        (1, timedelta(minutes=59, seconds=59), False),
        (1, timedelta(hours=1), True),
    ],
)
def test_a_mail_is_given_up_on_once_it_has_been_failing_for_the_set_hours(
    settings, hours, failing_for, last
):
    settings.OUTBOX_GIVE_UP_AFTER_HOURS = hours
    assert retry.gives_up(failing_since=NOW - failing_for, now=NOW) is last


@pytest.mark.parametrize(
    ("error", "for_good", "said"),
    [
        (
            SMTPRecipientsRefused({MARIA: (550, b"5.1.1 No such user")}),
            True,
            "550 5.1.1 No such user",
        ),
        (
            SMTPRecipientsRefused({MARIA: (451, b"4.3.0 Try again\nlater")}),
            False,
            "451 4.3.0 Try again later",
        ),
        (SMTPDataError(554, b"5.6.0 Content refused"), True, "554 5.6.0 Content refused"),
        (SMTPDataError(451, b"4.3.0 Queue full"), False, "451 4.3.0 Queue full"),
        (
            SMTPSenderRefused(550, b"5.7.1 Sender not allowed", "support@helpdesk.localhost"),
            False,
            "550 5.7.1 Sender not allowed",
        ),
        (SMTPConnectError(421, b"4.3.2 Not now"), False, "421 4.3.2 Not now"),
        (
            SMTPServerDisconnected("Connection unexpectedly closed"),
            False,
            "SMTPServerDisconnected: Connection unexpectedly closed",
        ),
        (TimeoutError("timed out"), False, "TimeoutError: timed out"),
        (
            AnymailRecipientsRefused("All recipients were rejected: bounced"),
            True,
            "AnymailRecipientsRefused: All recipients were rejected: bounced",
        ),
    ],
)
def test_only_a_5xx_for_the_recipient_or_the_message_is_a_refusal_for_good(error, for_good, said):
    assert retry.refused_for_good(error) is for_good
    assert retry.error_text(error) == said


class RefusingBackend:
    """A mail server that refuses (TRY_AGAIN_LATER) every send."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPRecipientsRefused({MARIA: (451, b"4.3.0 Try again later")})


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_retry_policy.RefusingBackend"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("failing_for", "next_attempt_in"),
    [
        (timedelta(seconds=1199), timedelta(seconds=599)),
        (timedelta(seconds=1200), timedelta(minutes=10)),
        (timedelta(seconds=1202), timedelta(minutes=10)),
    ],
)
def test_a_failed_send_is_tried_again_at_most_ten_minutes_later(
    refusing, failing_for, next_attempt_in
):
    email = mail_stored(MARIA, failing_since=NOW - failing_for, attempts=9)

    with time_machine.travel(NOW, tick=False), pytest.raises(SMTPRecipientsRefused):
        delivery.email_deliver(email.pk)

    email.refresh_from_db()
    assert (email.next_attempt_at, email.failed_at) == (NOW + next_attempt_in, None)
    assert (email.failing_since, email.attempts) == (NOW - failing_for, 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("failing_for", "given_up"),
    [
        (timedelta(hours=24) - timedelta(seconds=1), False),
        (timedelta(hours=24), True),
        (timedelta(hours=25), True),
    ],
    ids=["a second before a day", "a day", "past a day"],
)
def test_the_attempt_a_day_after_the_first_failure_is_the_last(refusing, failing_for, given_up):
    email = mail_stored(MARIA, failing_since=NOW - failing_for, attempts=140)

    with time_machine.travel(NOW, tick=False), pytest.raises(SMTPRecipientsRefused):
        delivery.email_deliver(email.pk)

    email.refresh_from_db()
    assert email.failed_at == (NOW if given_up else None)
    assert email.last_error == "451 4.3.0 Try again later"


@pytest.mark.django_db
def test_a_mail_given_up_on_is_never_sent_by_the_relay(refusing, settings, mailoutbox):
    email = mail_stored(MARIA, failing_since=NOW - timedelta(hours=24))
    with time_machine.travel(NOW, tick=False), pytest.raises(SMTPRecipientsRefused):
        delivery.email_deliver(email.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert delivery.outbox_sweep() == 0
        assert delivery.email_deliver(email.pk) is False

    assert mailoutbox == []


@pytest.mark.django_db
def test_a_mail_failing_since_before_this_policy_counts_from_its_next_failure(refusing):
    email = mail_stored(MARIA, attempts=3, last_error="SMTPServerDisconnected: closed")

    with time_machine.travel(NOW, tick=False), pytest.raises(SMTPRecipientsRefused):
        delivery.email_deliver(email.pk)

    email.refresh_from_db()
    assert (email.failing_since, email.next_attempt_at) == (NOW, NOW + timedelta(seconds=30))


@pytest.mark.django_db
def test_an_attachment_that_cannot_be_read_fails_the_send_and_is_recorded(agent, mailoutbox):
    message = MessageFactory(case=CaseFactory(assignee=agent))
    Attachment.objects.create(message=message, file="attachments/gone.pdf", name="gone.pdf", size=3)
    email = mail_stored(MARIA, message=message)

    with time_machine.travel(NOW, tick=False), pytest.raises(FileNotFoundError):
        delivery.email_deliver(email.pk)

    email.refresh_from_db()
    assert email.last_error.startswith("FileNotFoundError: ")
    assert (email.failing_since, email.next_attempt_at) == (NOW, NOW + timedelta(seconds=30))
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_migration_puts_mail_of_the_old_budget_under_the_new_policy():
    under_the_new_policy = importlib.import_module(
        "outbox.migrations.0006_outboundemail_failing_since"
    ).under_the_new_policy
    created = NOW - timedelta(hours=3)
    # the old back-off had this one wait four hours
    waiting = mail_stored(
        MARIA,
        created_at=created,
        attempts=8,
        last_error="451 4.3.0 Try again later",
        next_attempt_at=NOW + timedelta(hours=4),
    )
    given_up = mail_stored(
        MARIA, created_at=created, attempts=10, last_error="451 late", failed_at=NOW
    )
    new = mail_stored(MARIA, next_attempt_at=NOW + timedelta(hours=1))  # never tried
    sent = mail_stored(MARIA, created_at=created, attempts=1, sent_at=created)

    with time_machine.travel(NOW, tick=False):
        under_the_new_policy(apps, None)

    waiting.refresh_from_db()
    assert (waiting.failing_since, waiting.next_attempt_at) == (created, NOW)
    for email, failing_since, next_attempt_at in [
        (given_up, created, given_up.next_attempt_at),
        (new, None, NOW + timedelta(hours=1)),
        (sent, None, sent.next_attempt_at),
    ]:
        email.refresh_from_db()
        assert (email.failing_since, email.next_attempt_at) == (failing_since, next_attempt_at)
    assert OutboundEmail.objects.get(pk=given_up.pk).failed_at == NOW
