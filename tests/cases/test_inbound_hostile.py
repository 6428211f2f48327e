"""Mail that tries to get where it should not, or that no parser expects: strangers
answering another customer's mail, and control characters in every header."""

from io import BytesIO, StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from cases import intake, links
from cases.models import Case, Channel, Message, Status
from inbox.ingest import ingest
from outbox.models import OutboundEmail
from tests.cases.test_inbound import eml
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom(db):
    return ContactFactory(name="Tom Baker", email="tom.baker@example.org")


@pytest.fixture
def case(agent, tom):
    return intake.case_open(
        contact=tom, subject="My order has not arrived", body="Where is it?", channel=Channel.WEB
    )


def acknowledgement_id(case: Case) -> str:
    return case.outbound_emails.get(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT).message_id_header


def stranger_answers(case: Case) -> bytes:
    """Eve got a copy of Tom's acknowledgement and answers it: In-Reply-To names it."""
    return eml("gmail_reply.eml", MESSAGE_ID=acknowledgement_id(case), REFERENCE="HD-0").replace(
        b"lena.fischer@example.net", b"eve@elsewhere.example"
    )


def test_a_stranger_answering_a_cases_mail_gets_a_case_of_their_own(case):
    result = ingest(stranger_answers(case))

    assert result.action == "created"
    assert result.case != case
    assert result.case.contact.email == "eve@elsewhere.example"
    assert not case.messages.filter(is_internal=False).exclude(pk=case.messages.first().pk)


def test_the_original_case_gets_an_internal_note_naming_the_stranger_and_the_new_case(case):
    result = ingest(stranger_answers(case))

    note = case.messages.get(is_internal=True)
    assert "eve@elsewhere.example" in note.body
    assert result.case.reference in note.body


def test_a_strangers_answer_does_not_show_on_the_customers_page(client, case):
    ingest(stranger_answers(case))
    link = links.access_link_create(case=case)

    page = client.get(link.removeprefix(settings.SITE_URL), follow=True)

    assert page.status_code == 200
    assert b"Where is it?" in page.content
    assert b"clearing the cookies" not in page.content


def test_a_strangers_answer_does_not_reopen_a_resolved_case(case):
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())

    ingest(stranger_answers(case))

    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_the_cases_contact_threads_in_whatever_the_case_of_the_address(case):
    raw = stranger_answers(case).replace(b"eve@elsewhere.example", b"Tom.Baker@Example.org")

    assert ingest(raw).case == case


def test_someone_who_already_wrote_on_the_case_threads_in(case):
    colleague = ContactFactory(email="eve@elsewhere.example")
    Message.objects.create(case=case, author_contact=colleague, body="I work with Tom.")

    result = ingest(stranger_answers(case))

    assert (result.action, result.case) == ("threaded", case)


def ingest_email(raw: bytes) -> str:
    out = StringIO()
    call_command("ingest_email", stdin=BytesIO(raw), stdout=out)
    return out.getvalue()


HEADERS = {
    "Return-Path": "<priya.shah@northwind.example>",
    "From": "Priya Shah <priya.shah@northwind.example>",
    "To": "support@helpdesk.localhost",
    "Cc": "someone@northwind.example",
    "Subject": "Documents for the refund",
    "Date": "Wed, 25 Nov 2026 10:00:00 +0000",
    "Message-ID": "<hostile-0001@northwind.example>",
    "In-Reply-To": "<earlier-0001@northwind.example>",
    "References": "<earlier-0000@northwind.example> <earlier-0001@northwind.example>",
    "Auto-Submitted": "no",
    "Precedence": "first-class",
    "X-Mailer": "Mailer 1.0",
}
PART_HEADERS = {
    "Content-Type": 'application/pdf; name="credit-note.pdf"',
    "Content-Disposition": 'attachment; filename="credit-note.pdf"',
}
PDF_BASE64 = "JVBERi0xLjQKMSAwIG9iaiA8PCA+PiBlbmRvYmoKdHJhaWxlciA8PCA+PgolJUVPRgo="


def hostile_email(header: str, bad: str) -> bytes:
    """A message with an attachment, whose `header` has the character `bad` in its value."""
    headers = dict(HEADERS)
    part = dict(PART_HEADERS)
    target = headers if header in headers else part
    value = target[header]
    middle = len(value) // 2
    target[header] = value[:middle] + bad + value[middle:]
    lines = [f"{name}: {value}" for name, value in headers.items()]
    lines += [
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b42"',
        "",
        "--b42",
        "Content-Type: text/plain; charset=utf-8",
        "",
        f"The credit note is attached.{bad}Thanks.",
        "--b42",
        *(f"{name}: {value}" for name, value in part.items()),
        "Content-Transfer-Encoding: base64",
        "",
        PDF_BASE64,
        "--b42--",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b", "\x7f", "\x0b"])
@pytest.mark.parametrize("header", [*HEADERS, *PART_HEADERS])
def test_control_characters_in_any_header_end_filed_ignored_or_quarantined(agent, header, bad):
    output = ingest_email(hostile_email(header, bad))

    assert output.split()[0].rstrip(":") in {"created", "threaded", "ignored", "quarantined"}
    for message in Message.objects.all():
        assert "\x00" not in message.body + message.message_id
    for case in Case.objects.all():
        assert "\x00" not in case.subject


def test_a_nul_in_the_message_id_still_files_the_mail(agent):
    output = ingest_email(hostile_email("Message-ID", "\x00"))

    assert output.startswith("created HD-")
    assert Case.objects.get().messages.get().attachments.count() == 1


def test_an_empty_input_is_ignored_not_bounced(agent):
    assert ingest_email(b"\n") == "ignored: the email was empty\n"
