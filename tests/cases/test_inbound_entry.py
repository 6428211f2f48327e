"""The ways mail comes in besides IMAP: an MTA pipe and provider webhooks."""

import base64
import json
from io import BytesIO, StringIO

import pytest
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType, inbound
from django.core.management import CommandError, call_command

from cases.models import Case
from inbox.models import QuarantinedEmail
from tests.cases.test_inbound import database_unreachable, eml

pytestmark = pytest.mark.django_db


def ingest_email(raw: bytes) -> str:
    out = StringIO()
    call_command("ingest_email", stdin=BytesIO(raw), stdout=out)
    return out.getvalue()


def test_the_command_files_a_message_from_standard_input(agent):
    output = ingest_email(eml("plain.eml"))

    case = Case.objects.get()
    assert output == f"created {case.reference}\n"


def test_the_command_succeeds_for_a_message_it_quarantines(agent):
    output = ingest_email(eml("broken_mime.eml"))

    assert output.startswith("quarantined: broken MIME")
    assert QuarantinedEmail.objects.count() == 1


def test_the_command_succeeds_for_ignored_and_duplicate_mail(agent):
    assert ingest_email(eml("from_desk.eml")) == "ignored: mail from the desk's own address\n"
    ingest_email(eml("plain.eml"))
    assert ingest_email(eml("plain.eml")).startswith("duplicate HD-")


@pytest.mark.django_db(transaction=True)
def test_the_command_asks_the_mta_to_retry_when_the_database_is_unreachable(team):
    with database_unreachable(), pytest.raises(CommandError) as failure:
        ingest_email(eml("plain.eml"))

    assert failure.value.returncode == 75  # EX_TEMPFAIL: the MTA keeps the message
    assert not Case.objects.exists()


def test_a_providers_inbound_signal_is_filed_like_any_mail(agent):
    message = AnymailInboundMessage.parse_raw_mime_bytes(eml("latin1.eml"))
    event = AnymailInboundEvent(event_type=EventType.INBOUND, message=message)

    inbound.send(sender=object, event=event, esp_name="Test")

    case = Case.objects.get()
    assert case.subject == "Problème de livraison à Besançon"
    assert "J'ai reçu ma commande hier" in case.messages.get().body


def postmark_payload(raw: bytes) -> dict:
    """Postmark's inbound webhook JSON, with "include raw email content" turned on."""
    message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
    return {
        "FromName": message.from_email.display_name,
        "From": message.from_email.addr_spec,
        "FromFull": {"Email": message.from_email.addr_spec, "Name": "", "MailboxHash": ""},
        "To": "support@helpdesk.localhost",
        "ToFull": [{"Email": "support@helpdesk.localhost", "Name": "", "MailboxHash": ""}],
        "OriginalRecipient": "support@helpdesk.localhost",
        "Subject": message["Subject"],
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": message["Date"],
        "TextBody": message.text,
        "HtmlBody": message.html or "",
        "StrippedTextReply": "",
        "Headers": [
            {"Name": "Return-Path", "Value": f"<{message.from_email.addr_spec}>"},
            {"Name": "X-Spam-Status", "Value": "No"},
        ],
        "Attachments": [],
        "RawEmail": raw.decode("utf-8"),
    }


def test_postmarks_inbound_webhook_opens_a_case(client, agent, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret"}
    auth = "Basic " + base64.b64encode(b"postmark:s3cret").decode()

    response = client.post(
        "/anymail/postmark/inbound/",
        json.dumps(postmark_payload(eml("inline_image.eml"))),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.subject == "Error message when exporting a report"
    assert [a.name for a in case.messages.get().attachments.all()] == ["screenshot.png"]


def test_postmarks_inbound_webhook_refuses_a_post_without_the_secret(client, agent, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret"}

    response = client.post(
        "/anymail/postmark/inbound/",
        json.dumps(postmark_payload(eml("plain.eml"))),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_webhook_refuses_everyone_when_no_secret_is_configured(client, agent):
    # No ANYMAIL_WEBHOOK_SECRET in the environment: settings hold a random one.
    from django.conf import settings as live

    assert live.ANYMAIL["WEBHOOK_SECRET"]

    response = client.post(
        "/anymail/postmark/inbound/",
        json.dumps(postmark_payload(eml("plain.eml"))),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert not Case.objects.exists()
