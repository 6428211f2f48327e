"""Mail that never becomes a case: auto-replies, bounces, loops, floods; and the quarantine."""

import pytest
from django.urls import reverse

from cases.models import Case, Message
from contacts.models import Contact
from inbox.ingest import ingest
from inbox.models import QuarantinedEmail
from outbox.models import OutboundEmail
from tests.cases.test_inbound import eml

pytestmark = pytest.mark.django_db


def assert_nothing_stored():
    assert not Case.objects.exists()
    assert not Message.objects.exists()
    assert not Contact.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not QuarantinedEmail.objects.exists()


@pytest.mark.parametrize(
    "name, reason",
    [
        ("auto_reply.eml", "automatic reply (Auto-Submitted: auto-replied)"),
        ("bounce.eml", "delivery report (bounce)"),
        ("from_desk.eml", "mail from the desk's own address"),
    ],
)
def test_auto_replies_bounces_and_the_desks_own_mail_are_ignored(agent, name, reason):
    result = ingest(eml(name, MESSAGE_ID="<x@helpdesk.localhost>", REFERENCE="HD-000001"))

    assert (result.action, result.reason) == ("ignored", reason)
    assert_nothing_stored()


@pytest.mark.parametrize(
    "header, reason",
    [
        (b"Precedence: bulk", "automatic or bulk mail (Precedence: bulk)"),
        (b"Precedence: auto_reply", "automatic or bulk mail (Precedence: auto_reply)"),
        (b"X-Autorespond: yes", "automatic reply (X-Autorespond)"),
        (b"Return-Path: <>", "bounce (empty Return-Path)"),
    ],
)
def test_mail_marked_as_automatic_is_ignored(agent, header, reason):
    raw = eml("plain.eml").replace(b"Return-Path: <tom.baker@example.org>", header)

    assert ingest(raw).reason == reason
    assert_nothing_stored()


def test_a_human_reply_saying_auto_submitted_no_is_filed(agent):
    raw = eml("plain.eml").replace(b"MIME-Version", b"Auto-Submitted: no\nMIME-Version")

    assert ingest(raw).action == "created"


def test_mail_from_a_mailer_daemon_is_ignored_without_report_headers(agent):
    raw = eml("plain.eml").replace(
        b"From: Tom Baker <tom.baker@example.org>", b"From: postmaster@example.org"
    )

    assert ingest(raw).reason == "bounce (from postmaster@example.org)"
    assert_nothing_stored()


def test_our_own_email_coming_back_is_ignored(agent, customer):
    OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        to=customer.email,
        subject="Hello",
        body_text="Hello",
        message_id_header="<20261123091240.GA1234@mail.example.org>",
    )

    assert ingest(eml("plain.eml")).reason == "our own email came back"
    assert not Case.objects.exists()


def test_mail_beyond_the_hourly_allowance_of_a_sender_is_ignored(agent, settings):
    settings.INBOUND_MAX_PER_SENDER_PER_HOUR = 2
    raws = [eml("plain.eml").replace(b"GA1234", f"GA{number}".encode()) for number in range(3)]

    actions = [ingest(raw).action for raw in raws]

    assert actions == ["created", "created", "ignored"]
    assert Case.objects.count() == 2
    assert ingest(eml("multipart_alternative.eml")).action == "created"  # another sender


def test_a_duplicate_does_not_use_up_the_senders_allowance(agent, settings):
    settings.INBOUND_MAX_PER_SENDER_PER_HOUR = 1
    raw = eml("plain.eml")

    assert [ingest(raw).action for _ in range(3)] == ["created", "duplicate", "duplicate"]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("broken_mime.eml", "broken MIME: CloseBoundaryNotFoundDefect"),
        ("unknown_charset.eml", "unknown charset 'x-unknown-charset'"),
    ],
)
def test_a_malformed_message_is_quarantined_with_its_reason(agent, name, reason):
    raw = eml(name)

    result = ingest(raw)

    assert result.action == "quarantined"
    quarantined = QuarantinedEmail.objects.get()
    assert quarantined.reason.startswith(reason)
    assert bytes(quarantined.raw) == raw
    assert quarantined.sender == "sam.okafor@example.com"
    assert quarantined.subject in ("Logs from the crash", "Question about my contract")
    assert not Case.objects.exists()
    assert not Contact.objects.exists()


def test_broken_base64_is_quarantined(agent):
    raw = eml("inline_image.eml").replace(
        b"iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGOQz78ARwzEcQAuAhXh\n", b"iVB"
    )

    result = ingest(raw)

    assert result.action == "quarantined"
    assert result.reason.startswith("broken MIME: Invalid")


def test_mail_without_a_from_address_is_quarantined(agent):
    raw = eml("plain.eml").replace(b"From: Tom Baker <tom.baker@example.org>\n", b"")

    assert ingest(raw).reason == "no From header"
    assert QuarantinedEmail.objects.get().subject == "My order has not arrived"


def test_mail_from_an_address_that_is_not_one_is_quarantined(agent):
    raw = eml("plain.eml").replace(b"<tom.baker@example.org>\nTo", b"<tom baker at home>\nTo")

    result = ingest(raw)

    assert result.action == "quarantined"
    assert "is not valid" in result.reason
    assert "tom baker at home" in QuarantinedEmail.objects.get().sender


def test_a_quarantined_message_does_not_stop_the_next_one(agent):
    results = [ingest(eml("broken_mime.eml")), ingest(eml("plain.eml"))]

    assert [result.action for result in results] == ["quarantined", "created"]


def test_managers_find_quarantined_mail_in_the_admin(client, manager):
    quarantined = ingest(eml("unknown_charset.eml")).quarantined
    client.force_login(manager.user)

    listing = client.get(reverse("admin:inbox_quarantinedemail_changelist"))
    page = client.get(reverse("admin:inbox_quarantinedemail_change", args=[quarantined.pk]))
    download = client.get(reverse("admin:inbox_quarantinedemail_raw", args=[quarantined.pk]))

    assert listing.status_code == 200
    assert "unknown charset" in listing.content.decode()
    assert page.status_code == 200
    assert "Hello, when does my contract end?" in page.content.decode()
    assert download["Content-Type"] == "message/rfc822"
    assert "attachment" in download["Content-Disposition"]
    assert download.content == eml("unknown_charset.eml")


def test_quarantined_mail_cannot_be_edited_in_the_admin(client, manager):
    quarantined = ingest(eml("unknown_charset.eml")).quarantined
    client.force_login(manager.user)

    client.post(
        reverse("admin:inbox_quarantinedemail_change", args=[quarantined.pk]),
        {"reason": "nothing wrong", "sender": "someone@else.example"},
    )

    quarantined.refresh_from_db()
    assert quarantined.reason.startswith("unknown charset")
    assert client.get(reverse("admin:inbox_quarantinedemail_add")).status_code == 403


def test_agents_who_are_not_staff_cannot_download_quarantined_mail(client, agent):
    quarantined = ingest(eml("unknown_charset.eml")).quarantined
    client.force_login(agent.user)

    response = client.get(reverse("admin:inbox_quarantinedemail_raw", args=[quarantined.pk]))

    assert response.status_code == 302  # to the admin's login
