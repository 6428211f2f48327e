from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from celery.app.task import Task
from django.core.mail.backends import smtp
from django.urls import reverse
from django.utils import timezone

from cases import mails
from cases.models import Case
from outbox import delivery, store
from outbox.models import OutboundEmail
from tests.cases.test_contact_form import form_data
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


def submit(client, **overrides):
    return client.post(reverse("cases:contact"), form_data(**overrides))


def test_acknowledgement_is_addressed_by_first_name_with_the_reference(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, name="Maria José Garcia")
    case = Case.objects.get()

    [mail] = mailoutbox
    assert mail.to == ["maria@customer.example"]
    assert mail.subject == f"[{case.reference}] We have your request: My order has not arrived"
    assert mail.body.startswith("Hi Maria,")
    assert "Ana owns your request" in mail.body
    assert "https://help.example.com/c/" in mail.body
    html = mail.alternatives[0]
    assert html.mimetype == "text/html"
    assert f"<strong>{case.reference}</strong>" in html.content
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert mail.extra_headers["Message-ID"] == case.outbound_emails.get().message_id_header
    assert mail.reply_to == ["support@helpdesk.localhost"]


def test_links_in_mail_come_from_site_url_not_the_host_header(
    client, agent, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cases:contact"), form_data(), HTTP_HOST="evil.example")

    assert "evil.example" not in mailoutbox[0].body
    assert "https://help.example.com/c/" in mailoutbox[0].body


def test_acknowledgement_is_in_the_contacts_language(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    ContactFactory(email="maria@customer.example", name="Maria Garcia", language="es")
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)

    assert mailoutbox[0].body.startswith("Hola, Maria:")
    assert "Hemos recibido su solicitud" in mailoutbox[0].subject


def test_new_contact_gets_the_language_of_their_browser(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cases:contact"), form_data(), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert Case.objects.get().contact.language == "fr"
    assert mailoutbox[0].body.startswith("Bonjour Maria,")


def test_script_in_subject_is_escaped_in_the_html_mail(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, subject="<img src=x onerror=alert(1)>")

    assert "<img" not in mailoutbox[0].alternatives[0].content
    assert "&lt;img src=x onerror=alert(1)&gt;" in mailoutbox[0].alternatives[0].content


def test_acknowledgement_is_queued_only_on_commit(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(client)

    assert mailoutbox == []
    assert len(callbacks) == 1
    assert OutboundEmail.objects.get().sent_at is None

    callbacks[0]()

    assert len(mailoutbox) == 1
    assert OutboundEmail.objects.get().sent_at is not None


def test_the_contact_form_never_talks_to_the_broker_and_the_relay_sends_at_once(
    client, agent, django_capture_on_commit_callbacks, mailoutbox, monkeypatch, settings
):
    settings.OUTBOX_SEND_ON_COMMIT = False
    published = []
    monkeypatch.setattr(Task, "apply_async", lambda *args, **kwargs: published.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)

    assert response.status_code == 302
    assert published == []
    email = OutboundEmail.objects.get()
    assert (Case.objects.count(), mailoutbox, email.sent_at) == (1, [], None)

    assert delivery.outbox_sweep() == 1  # the relay's next pass, however fresh the mail

    assert len(mailoutbox) == 1
    assert "We have your request" in mailoutbox[0].subject
    assert published == []


def test_sending_twice_sends_once(agent, mailoutbox):
    email = mails.case_acknowledge(case=CaseFactory(assignee=agent))

    assert delivery.email_deliver(email.pk) is True
    assert delivery.email_deliver(email.pk) is False
    with time_machine.travel(timedelta(minutes=5)):
        assert delivery.outbox_sweep() == 0

    assert len(mailoutbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def test_failing_mail_server_is_retried_by_the_sweep(agent, settings, mailoutbox):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "email_enqueue", lambda email: None)
        email = mails.case_acknowledge(case=CaseFactory(assignee=agent))
    settings.EMAIL_BACKEND = "tests.cases.test_acknowledgement.BrokenBackend"

    with pytest.raises(SMTPServerDisconnected):
        delivery.email_deliver(email.pk)

    email.refresh_from_db()
    assert email.attempts == 1
    assert "Connection unexpectedly closed" in email.last_error
    assert email.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timedelta(minutes=3)):
        assert delivery.outbox_sweep() == 1
    email.refresh_from_db()
    assert email.sent_at is not None
    assert len(mailoutbox) == 1


def test_mail_is_marked_failed_after_the_last_attempt(agent, settings):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "email_enqueue", lambda email: None)
        email = mails.case_acknowledge(case=CaseFactory(assignee=agent))
    settings.EMAIL_BACKEND = "tests.cases.test_acknowledgement.BrokenBackend"

    # The last attempt is the first one a day (OUTBOX_GIVE_UP_AFTER_HOURS) after the first.
    for later in (timedelta(0), timedelta(hours=24)):
        with time_machine.travel(later), pytest.raises(SMTPServerDisconnected):
            delivery.email_deliver(email.pk)

    email.refresh_from_db()
    assert email.failed_at is not None
    assert delivery.email_deliver(email.pk) is False


def test_subjects_are_not_html_escaped(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, subject="Q&A <urgent> don't")

    assert mailoutbox[0].subject.endswith("We have your request: Q&A <urgent> don't")


def pending_mails(count: int, *, age=timedelta(minutes=10)) -> None:
    """Mail waiting in the outbox (the mail server was down when it was stored)."""
    created = timezone.now() - age
    OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind=OutboundEmail.Kind.LINKS,
            to=f"customer{n}@example.org",
            subject="Your links",
            body_text="Here they are.",
            message_id_header=f"<backlog-{n}@helpdesk.localhost>",
            created_at=created,
            next_attempt_at=created,
        )
        for n in range(count)
    )


def test_one_sweep_sends_a_backlog_of_a_thousand_mails(db, mailoutbox):
    pending_mails(1000)

    assert delivery.outbox_sweep() == 1000

    assert len(mailoutbox) == 1000
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_sweep_stops_when_its_time_is_up_and_the_next_goes_on(db, mailoutbox):
    pending_mails(5)

    assert delivery.outbox_sweep(batch=2, seconds=0) == 0
    assert delivery.outbox_sweep(batch=2) == 5


def test_a_sweep_tries_a_failing_mail_once_and_sends_the_others(db, mailoutbox):
    pending_mails(3)
    sent = []

    class FailsFirst:
        def __init__(self, *args, **kwargs):
            pass

        def open(self):
            return False

        def close(self):
            pass

        def send_messages(self, messages):
            if messages[0].to == ["customer0@example.org"]:
                raise SMTPServerDisconnected("Connection unexpectedly closed")
            sent.extend(messages)
            return len(messages)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "get_connection", lambda: FailsFirst())
        assert delivery.outbox_sweep() == 2

    failed = OutboundEmail.objects.get(to="customer0@example.org")
    assert (failed.attempts, failed.sent_at) == (1, None)
    assert len(sent) == 2


def test_mail_held_by_a_crashed_sender_goes_out_a_minute_later(db, mailoutbox):
    pending_mails(1)
    email = OutboundEmail.objects.get()
    # A worker claimed it and died before sending.
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() + delivery.claim_for()
    )

    assert delivery.outbox_sweep() == 0
    with time_machine.travel(timedelta(seconds=61)):
        assert delivery.outbox_sweep() == 1

    assert len(mailoutbox) == 1


def test_a_claim_outlasts_one_send_however_slow_the_mail_server_may_be(settings):
    settings.EMAIL_TIMEOUT = 15
    assert delivery.claim_for() == timedelta(seconds=60)
    settings.EMAIL_TIMEOUT = 30
    assert delivery.claim_for() == timedelta(seconds=120)


class CountingSmtpBackend(smtp.EmailBackend):
    """Django's SMTP backend with the network taken out: counts the connections it opens."""

    opened = 0

    def open(self):
        if self.connection:
            return False
        CountingSmtpBackend.opened += 1
        self.connection = object()
        return True

    def close(self):
        self.connection = None

    def _send(self, email_message):
        return True


def test_a_sweep_sends_its_backlog_over_one_connection(db, settings):
    settings.EMAIL_BACKEND = "tests.cases.test_acknowledgement.CountingSmtpBackend"
    CountingSmtpBackend.opened = 0
    pending_mails(10)

    assert delivery.outbox_sweep() == 10
    assert CountingSmtpBackend.opened == 1
