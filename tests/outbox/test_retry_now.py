"""Failed mail is seen, on its case and in admin, and "Retry now" sends it again: with
its audit line, for agents only, POST and CSRF."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEntry
from outbox import delivery
from outbox.models import OutboundEmail
from tests.factories import CaseFactory, ContactFactory, UserFactory
from tests.outbox.relay import mail_stored, relay_until

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris
MARIA = "maria@customer.example"
NOT_THROUGH = "Mail to the customer is not getting through."


def retries():
    """The audit log's entries of mail sent again (logging in writes entries too)."""
    return AuditEntry.objects.filter(target_type="outbox.outboundemail")


@pytest.fixture
def case(agent):
    agent.time_zone = "Europe/Paris"
    agent.save(update_fields=["time_zone"])
    contact = ContactFactory(name="Maria Garcia", email=MARIA, owner=agent)
    return CaseFactory(contact=contact, assignee=agent, subject="Printer on fire")


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def page(desk, case) -> str:
    return desk.get(reverse("cases:detail", args=[case.reference])).content.decode()


def retry_url(case, email) -> str:
    return reverse("cases:mail_retry", args=[case.reference, email.pk])


def failing(case, mail_server, *, hours=0) -> OutboundEmail:
    """A reply to the case's customer that the mail server refused (451) at 9:00, after
    failing for `hours` before."""
    mail_server.outage()
    with time_machine.travel(START, tick=False) as clock:
        email = mail_stored(MARIA, case=case, failing_since=START - timedelta(hours=hours))
        relay_until(clock, START)
    email.refresh_from_db()
    return email


def test_the_case_says_which_mail_failed_with_the_servers_answer_and_the_next_try(
    desk, case, mail_server
):
    failing(case, mail_server)

    with time_machine.travel(START + timedelta(seconds=5), tick=False):
        shown = page(desk, case)

    assert NOT_THROUGH in shown
    assert (
        "Agent reply “Re: Printer on fire” to maria@customer.example could not be sent: "
        "451 4.3.0 Try again later"
    ) in shown
    assert "will try again at 10:00." in shown  # 9:00:30 UTC, in the agent's time zone
    assert f'action="{retry_url(case, OutboundEmail.objects.get())}"' in shown


def test_the_case_says_when_a_mail_was_given_up_on(desk, case, mail_server):
    email = failing(case, mail_server, hours=24)

    shown = page(desk, case)

    assert email.failed_at == START
    assert "could not be sent: 451 4.3.0 Try again later" in shown
    assert "gave up on 2 Mar 10:00." in shown
    assert "Retry now" in shown


def test_mail_waiting_for_its_first_try_or_sent_raises_no_alarm(desk, case):
    mail_stored(MARIA, case=case)
    mail_stored(MARIA, case=case, sent_at=START, last_error="")

    assert NOT_THROUGH not in page(desk, case)


def test_an_erased_contacts_mail_shows_it_gave_up_but_offers_no_retry(desk, case):
    email = mail_stored(
        MARIA,
        case=case,
        body_text="",
        failed_at=START,
        last_error="The contact was erased.",
    )

    shown = page(desk, case)
    response = desk.post(retry_url(case, email), follow=True)

    assert "could not be sent: The contact was erased." in shown
    assert "Retry now" not in shown
    assert "That mail was left as it was" in response.content.decode()
    email.refresh_from_db()
    assert email.failed_at == START
    assert not retries().exists()


def test_the_newest_five_are_listed_and_admin_named_for_the_rest(desk, case):
    for n in range(6):
        mail_stored(
            MARIA,
            case=case,
            subject=f"Reply {n}",
            created_at=START + timedelta(minutes=n),
            last_error="451 4.3.0 Try again later",
        )

    shown = page(desk, case)

    assert shown.count("Retry now") == 5
    assert "Reply 0" not in shown and "Reply 5" in shown
    assert "Older mail that could not be sent is listed in admin’s outbox." in shown


def test_retry_now_on_the_case_sends_a_given_up_mail_on_the_relays_next_pass(
    desk, case, mail_server, agent
):
    email = failing(case, mail_server, hours=24)
    mail_server.recover()
    later = START + timedelta(hours=3)

    with time_machine.travel(later, tick=False):
        response = desk.post(retry_url(case, email), REMOTE_ADDR="203.0.113.9")
        email.refresh_from_db()
        assert (email.failed_at, email.next_attempt_at, email.failing_since) == (None, later, None)
        assert delivery.outbox_sweep() == 1

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.reference])
    email.refresh_from_db()
    assert email.sent_at == later
    assert mail_server.delivered_to() == [MARIA]
    [entry] = retries()
    assert (entry.action, entry.actor, entry.address) == (
        Action.MAIL_RETRIED,
        agent.user,
        "203.0.113.9",
    )
    assert (entry.target_type, entry.target_id) == ("outbox.outboundemail", str(email.pk))
    assert entry.target == f"Outbox email {email.pk} (reply)"
    assert MARIA not in entry.target + entry.detail
    assert entry.detail == (
        f"Retry now, from the case workspace of {case.reference}: it was given up on "
        "2026-03-02 09:00 UTC, after 1 attempt."
    )


def test_a_mail_retried_by_hand_that_fails_again_gets_its_full_day_again(desk, case, mail_server):
    email = failing(case, mail_server, hours=24)
    later = START + timedelta(hours=3)

    with time_machine.travel(later, tick=False) as clock:
        desk.post(retry_url(case, email))
        relay_until(clock, later + timedelta(hours=23, minutes=50))
        email.refresh_from_db()
        assert (email.failing_since, email.failed_at) == (later, None)
        relay_until(clock, later + timedelta(hours=25))

    email.refresh_from_db()
    assert later + timedelta(hours=24) <= email.failed_at <= later + timedelta(hours=24, minutes=10)


def test_retry_now_on_a_waiting_mail_brings_its_next_try_forward(desk, case, mail_server):
    email = failing(case, mail_server)
    moment = START + timedelta(seconds=10)

    with time_machine.travel(moment, tick=False):
        desk.post(retry_url(case, email))

    email.refresh_from_db()
    assert (email.next_attempt_at, email.failing_since, email.failed_at) == (moment, START, None)
    assert retries().get().detail.endswith("it was waiting for its next attempt, after 1 attempt.")


def test_retry_now_is_for_agents_by_post_with_a_csrf_token(client, case, non_agent, agent):
    email = mail_stored(MARIA, case=case, failed_at=START, last_error="451 4.3.0 Try again later")
    url = retry_url(case, email)

    anonymous = client.post(url)
    client.force_login(non_agent)
    stranger = client.post(url)
    client.force_login(agent.user)
    by_get = client.get(url)
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(agent.user)
    without_token = checked.post(url)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert stranger.status_code == 403
    assert by_get.status_code == 405
    assert without_token.status_code == 403
    assert OutboundEmail.objects.get().failed_at == START
    assert not retries().exists()


def test_a_mail_of_another_case_cannot_be_retried_from_this_one(desk, case):
    elsewhere = mail_stored(
        "ben@customer.example",
        case=CaseFactory(subject="Someone else's"),
        failed_at=START,
        last_error="451 4.3.0 Try again later",
    )

    assert desk.post(retry_url(case, elsewhere)).status_code == 404
    assert (
        desk.post(reverse("cases:mail_retry", args=["HD-999999", elsewhere.pk])).status_code == 404
    )
    assert OutboundEmail.objects.get().failed_at == START
    assert not retries().exists()


# Admin


def outbox_list(client, **query):
    return client.get(reverse("admin:outbox_outboundemail_changelist"), query)


def retry_in_admin(client, *emails):
    return client.post(
        reverse("admin:outbox_outboundemail_changelist"),
        {"action": "retry_now", ACTION_CHECKBOX_NAME: [email.pk for email in emails]},
        follow=True,
    )


def test_admin_lists_each_mails_status_and_last_error(client, manager):
    failed = mail_stored(MARIA, failed_at=START, last_error="550 5.1.1 No such user")
    retrying = mail_stored(
        "ben@customer.example", next_attempt_at=START, last_error="451 4.3.0 Try again later"
    )
    sent = mail_stored("carla@customer.example", sent_at=START)
    waiting = mail_stored("dan@customer.example")
    client.force_login(manager.user)

    shown = outbox_list(client).content.decode()
    only_failed = outbox_list(client, status="failed")

    assert "Failed, given up 2026-03-02 09:00:00" in shown
    assert "550 5.1.1 No such user" in shown
    assert "Pending, next try at 2026-03-02 09:00:00" in shown
    assert "Sent 2026-03-02 09:00:00" in shown
    assert "Waiting to be sent" in shown
    assert list(only_failed.context["cl"].result_list) == [failed]
    assert [e.pk for e in outbox_list(client, status="retrying").context["cl"].result_list] == [
        retrying.pk
    ]
    assert list(outbox_list(client, status="sent").context["cl"].result_list) == [sent]
    assert list(outbox_list(client, status="waiting").context["cl"].result_list) == [waiting]


def test_retry_now_in_admin_resends_the_chosen_failed_and_waiting_mail(client, manager):
    failed = mail_stored(MARIA, failed_at=START, failing_since=START, attempts=150, last_error="x")
    retrying = mail_stored("ben@customer.example", last_error="451 4.3.0 Try again later")
    sent = mail_stored("carla@customer.example", sent_at=START)
    erased = mail_stored("erased-1@erased.invalid", body_text="", failed_at=START, last_error="x")
    untouched = mail_stored("dan@customer.example", failed_at=START, last_error="x")
    client.force_login(manager.user)
    now = START + timedelta(hours=1)

    with time_machine.travel(now, tick=False):
        response = retry_in_admin(client, failed, retrying, sent, erased)

    said = response.content.decode()
    assert "2 mails will be sent again within seconds, by the relay." in said
    assert "2 left as they were: sent already, or with nothing left to send" in said
    for email in (failed, retrying):
        email.refresh_from_db()
        assert (email.failed_at, email.next_attempt_at) == (None, now)
    assert failed.failing_since is None
    for email, was in [(sent, None), (erased, START), (untouched, START)]:
        email.refresh_from_db()
        assert email.failed_at == was
    entries = retries().order_by("target_id")
    assert [(e.action, e.target_id, e.actor) for e in entries] == [
        (Action.MAIL_RETRIED, str(failed.pk), manager.user),
        (Action.MAIL_RETRIED, str(retrying.pk), manager.user),
    ]
    assert entries[0].detail == (
        "Retry now, from admin: it was given up on 2026-03-02 09:00 UTC, after 150 attempts."
    )


def test_retry_now_in_admin_needs_the_right_to_change_outbox_mail(client):
    reader = UserFactory(username="reader", is_staff=True)
    reader.user_permissions.add(
        Permission.objects.get(codename="view_outboundemail", content_type__app_label="outbox")
    )
    failed = mail_stored(MARIA, failed_at=START, last_error="451 4.3.0 Try again later")
    client.force_login(reader)

    listing = outbox_list(client)
    retry_in_admin(client, failed)

    assert listing.status_code == 200
    assert "retry_now" not in listing.content.decode()
    failed.refresh_from_db()
    assert failed.failed_at == START
    assert not retries().exists()
