"""The contact form is no relay: acknowledgements per address are capped, with one digest
for the rest, and text a stranger typed reaches nobody as a link."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connections, transaction
from django.urls import reverse

from cases import acknowledgements
from cases.models import AcknowledgementWindow, Case
from cases.personal_data import contact_erase
from outbox.models import OutboundEmail
from tests.cases.test_contact_form import form_data
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def attack(client, number: int, *, email=VICTIM, subject="Your account is suspended"):
    """One post naming `email`, from its own client address and with its own form."""
    return client.post(
        reverse("cases:contact"),
        form_data(
            email=email,
            name="Security Team",
            subject=subject,
            submission_token=str(uuid.UUID(int=number + 1)),
        ),
        REMOTE_ADDR=f"198.51.100.{number + 1}",
    )


def mails_to(address=VICTIM):
    return list(OutboundEmail.objects.filter(to=address).order_by("pk"))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_thirty_posts_naming_one_address_send_three_acknowledgements_and_one_digest(
    client, agent, clock, mailoutbox, django_capture_on_commit_callbacks
):
    for number in range(30):
        with django_capture_on_commit_callbacks(execute=True):
            assert attack(client, number).status_code == 302
        clock.shift(timedelta(seconds=30))

    assert Case.objects.filter(contact__email=VICTIM).count() == 30  # every case is opened
    assert len(mailoutbox) == 3
    held = list(Case.objects.order_by("pk")[3:])

    clock.move_to(START + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert acknowledgements.acknowledgement_digests_send() == 1
        assert acknowledgements.acknowledgement_digests_send() == 0  # once

    assert len(mailoutbox) == 4
    digest = mailoutbox[3]
    assert digest.to == [VICTIM]
    assert digest.subject == "We have 27 more requests of yours from the last hour"
    for case in held:
        assert case.reference in digest.body
        assert case.reference in digest.alternatives[0].content
    assert digest.body.count("https://help.example.com/c/") == 27
    assert "someone else may have used your address" in digest.body
    assert len(mails_to()) == 4


def test_the_third_is_sent_the_fourth_is_not_and_the_next_hour_again(client, agent, clock):
    for number in range(3):
        attack(client, number)
        clock.shift(timedelta(minutes=1))
    assert len(mails_to()) == 3

    response = attack(client, 3)

    assert len(mails_to()) == 3
    fourth = Case.objects.latest("pk")
    assert "acknowledgement-held" in client.get(response.url).content.decode()

    clock.move_to(START + timedelta(minutes=59, seconds=59))
    attack(client, 4)
    assert len(mails_to()) == 3
    assert acknowledgements.acknowledgement_digests_send() == 0  # the hour is not over

    clock.move_to(START + timedelta(hours=1))
    response = attack(client, 5)

    # A new hour: this case is acknowledged, and the digest of the two held is stored
    # now (the sweep had not come by yet); the sweep then finds nothing to do.
    digest, ack = mails_to()[3:]
    assert ack.case == Case.objects.latest("pk")
    assert ack.subject.startswith(f"[{ack.case.reference}] We have your request")
    assert digest.case is None
    assert digest.subject == "We have 2 more requests of yours from the last hour"
    assert fourth.reference in digest.body_text
    assert acknowledgements.acknowledgement_digests_send() == 0
    assert "acknowledgement-held" not in client.get(response.url).content.decode()


def test_a_window_without_held_cases_sends_no_digest(client, agent, clock):
    for number in range(3):
        attack(client, number)

    clock.move_to(START + timedelta(hours=2))

    assert acknowledgements.acknowledgement_digests_send() == 0
    assert len(mails_to()) == 3


def test_the_cap_is_a_setting(client, agent, clock, settings):
    settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR = 1
    attack(client, 0)
    attack(client, 1)

    assert len(mails_to()) == 1


def test_the_cap_counts_an_address_whatever_its_letter_case(client, agent, clock):
    for number, email in enumerate(
        ["victim@example.org", "Victim@Example.org", "VICTIM@EXAMPLE.ORG", "victim@example.ORG"]
    ):
        attack(client, number, email=email)

    assert OutboundEmail.objects.filter(kind="ack").count() == 3
    assert AcknowledgementWindow.objects.count() == 1


def test_the_count_keeps_no_address(client, agent, clock):
    attack(client, 0)

    window = AcknowledgementWindow.objects.get()
    assert VICTIM not in window.address_hash
    assert window.address_hash == acknowledgements.address_hash(" Victim@Example.ORG ")


def test_other_addresses_have_their_own_count(client, agent, clock):
    for number in range(4):
        attack(client, number)
    attack(client, 10, email="someone@example.org")

    assert len(mails_to("someone@example.org")) == 1


@pytest.mark.django_db(transaction=True)
def test_processes_at_once_send_no_more_than_the_cap(agent):
    contact = ContactFactory(email=VICTIM)
    cases = CaseFactory.create_batch(8, contact=contact)
    barrier = threading.Barrier(len(cases))
    allowed = []

    def acknowledge(case):
        barrier.wait()
        try:
            with transaction.atomic():
                allowed.append(acknowledgements.acknowledgement_take(case=case))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=acknowledge, args=[case]) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(allowed) == [False] * 5 + [True] * 3
    window = AcknowledgementWindow.objects.get()
    assert (window.sent, window.held_cases.count()) == (3, 5)


def test_the_beat_runs_the_digest_task(settings):
    from helpdesk.celery import app

    app.loader.import_default_modules()
    task = settings.CELERY_BEAT_SCHEDULE["acknowledgement-digests"]["task"]

    assert task in app.tasks
    assert app.tasks[task]() == 0


def test_no_digest_goes_to_a_contact_erased_meanwhile(client, agent, clock, settings):
    settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR = 1
    attack(client, 0)
    attack(client, 1)
    contact_erase(contact=Case.objects.earliest("pk").contact)

    clock.move_to(START + timedelta(hours=1))

    assert acknowledgements.acknowledgement_digests_send() == 0
    assert not AcknowledgementWindow.objects.filter(digest_due_at__isnull=False).exists()
