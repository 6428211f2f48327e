"""Inbound mail that opens a new case: the corpus under tests/cases/mail/."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from cases.models import Case, Channel, Message
from contacts.models import Contact
from inbox.ingest import ingest
from inbox.models import QuarantinedEmail
from inbox.parse import NO_TEXT
from inbox.reply_text import reply_text
from outbox.models import OutboundEmail
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

MAIL = Path(__file__).parent / "mail"


def eml(name: str, **placeholders: str) -> bytes:
    """A message of the corpus, with {{PLACEHOLDERS}} filled in."""
    raw = (MAIL / name).read_bytes()
    for key, value in placeholders.items():
        raw = raw.replace(b"{{" + key.encode() + b"}}", value.encode())
    return raw


@contextmanager
def database_unreachable():
    """While inside, the default database cannot be reached (its name points nowhere)."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["NAME"] = "/nonexistent/helpdesk-unreachable"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_plain_mail_opens_a_case_for_a_new_contact(agent):
    result = ingest(eml("plain.eml"))

    assert result.action == "created"
    case = Case.objects.get()
    assert result.case == case
    assert case.subject == "My order has not arrived"
    assert case.channel == Channel.EMAIL
    assert case.contact.email == "tom.baker@example.org"
    assert case.contact.name == "Tom Baker"
    assert case.assignee == agent
    message = case.messages.get()
    assert message.channel == Channel.EMAIL
    assert message.message_id == "<20261123091240.GA1234@mail.example.org>"
    assert message.body.startswith("Hello,\n\nI ordered a standing desk (order 4521)")
    assert message.body.endswith("Thanks,\nTom")
    assert "Baker & Sons" not in message.body  # the signature after "-- "
    ack = OutboundEmail.objects.get(case=case)
    assert ack.to == "tom.baker@example.org"
    assert ack.kind == OutboundEmail.Kind.ACKNOWLEDGEMENT


def test_mail_from_a_known_contact_goes_to_their_owner(agent, other_agent):
    known = ContactFactory(name="Thomas Baker", email="TOM.BAKER@example.org", owner=other_agent)

    result = ingest(eml("plain.eml"))

    assert result.case.contact == known
    assert result.case.contact.name == "Thomas Baker"  # the name on file is kept
    assert result.case.assignee == other_agent
    assert Contact.objects.count() == 1


def test_the_plain_part_of_multipart_alternative_mail_is_kept(agent):
    result = ingest(eml("multipart_alternative.eml"))

    assert result.message.body == (
        "Hi,\n\nSince this morning I cannot log in to the portal: after I type my password\n"
        "the page just reloads. I tried Firefox and Chrome – same result.\n\n"
        "Best regards,\nLena"
    )


def test_html_only_mail_becomes_text_without_styles_or_scripts(agent):
    body = ingest(eml("html_only.eml")).message.body

    assert body.startswith("Good morning,\n\nInvoice INV-2041 charges us for 12 licences")
    assert "we only have 10 & two were cancelled in October.\nCould you:" in body
    assert "- send a corrected invoice,\n- confirm the cancellation date?" in body
    assert "contract page (https://northwind.example/contracts/77)" in body
    assert body.endswith("Kind regards,\nPriya Shah\nNorthwind Traders")
    for hidden in ("font-family", "alert", "Invoice question", "<"):
        assert hidden not in body


def test_iso_8859_1_mail_keeps_its_accents(agent):
    case = ingest(eml("latin1.eml")).case

    assert case.subject == "Problème de livraison à Besançon"
    assert case.contact.name == "Renée Lefèvre"
    body = case.messages.get().body
    assert "J'ai reçu ma commande hier, mais le colis était abîmé" in body
    assert "pièce de rechange" in body


def test_shift_jis_mail_is_read_as_japanese(agent):
    case = ingest(eml("shift_jis.eml")).case

    assert case.subject == "配送について"
    assert case.contact.name == "山田 太郎"
    assert case.messages.get().body.startswith(
        "お世話になっております。\n注文番号 4521 の商品がまだ届いていません。"
    )


def test_an_inline_image_is_kept_as_an_attachment(agent):
    message = ingest(eml("inline_image.eml")).message

    [attachment] = message.attachments.all()
    assert attachment.name == "screenshot.png"
    assert attachment.content_type == "image/png"
    with attachment.file.open("rb") as file:
        assert file.read().startswith(b"\x89PNG")
    assert "When I export the monthly report I get the error below:" in message.body
    assert not message.case.messages.filter(is_internal=True).exists()


def test_refused_attachments_are_skipped_and_listed_in_an_internal_note(agent):
    case = ingest(eml("attachments.eml")).case

    first = case.messages.get(is_internal=False)
    assert [a.name for a in first.attachments.all()] == ["credit-note.pdf"]
    note = case.messages.get(is_internal=True)
    assert "priya.shah@northwind.example" in note.body
    assert "“refund-form.exe”: .exe cannot be attached." in note.body
    assert "“damage.jpg” is not really a .jpg file." in note.body
    assert case.events.filter(code="attachments_refused", params__count=2).exists()


def test_files_past_the_web_forms_limit_are_skipped(agent, settings):
    settings.ATTACHMENT_MAX_FILES = 0

    case = ingest(eml("inline_image.eml")).case

    assert not case.messages.get(is_internal=False).attachments.exists()
    note = case.messages.get(is_internal=True)
    assert "“screenshot.png”: past the limit of 0 file(s) per message." in note.body


def test_a_forwarded_message_is_kept_whole(agent):
    body = ingest(eml("forwarded.eml")).message.body

    assert body.startswith("Hello, this is what the courier sent me. Is my desk lost?")
    assert "From: Speedy Courier <noreply@courier.example>" in body
    assert "It is held at our Croydon depot." in body
    assert body.endswith("Speedy Courier customer service")


def test_a_message_forwarded_as_an_attachment_is_shown_with_its_files(agent):
    message = ingest(eml("forwarded_as_attachment.eml")).message

    assert message.body.startswith("Please honour the price in the quote below.\n\n")
    assert "-- \nLena Fischer" not in message.body
    assert "Subject: Quote for the upgrade" in message.body
    assert "the upgrade to 25 seats costs 1,200 EUR a year." in message.body
    assert [a.name for a in message.attachments.all()] == ["quote-77.pdf"]


def test_mail_without_a_subject_is_named_after_its_first_line(agent):
    raw = eml("plain.eml").replace(b"Subject: My order has not arrived\n", b"")

    case = ingest(raw).case

    assert case.subject == "Hello,"


def test_mail_without_text_still_opens_a_case(agent):
    raw = eml("plain.eml").split(b"\n\n", 1)[0] + b"\n\n"

    assert ingest(raw).message.body == NO_TEXT


def test_mail_without_a_message_id_is_still_recognised_when_delivered_twice(agent):
    raw = eml("plain.eml").replace(b"Message-ID: <20261123091240.GA1234@mail.example.org>\n", b"")

    first, second = ingest(raw), ingest(raw)

    assert (first.action, second.action) == ("created", "duplicate")
    assert first.message.message_id.endswith("@inbound.invalid>")
    assert Message.objects.count() == 1


def test_the_reply_is_kept_above_an_outlook_from_and_sent_block():
    text = (
        "Yes, Thursday works.\n\nRegards\nPriya\n\n"
        "________________________________\n"
        "From: Help desk <support@helpdesk.localhost>\n"
        "Sent: Tuesday, 24 November 2026 16:10\n"
        "To: Priya Shah\nSubject: Visit\n\nCan we come on Thursday?"
    )
    assert reply_text(text) == "Yes, Thursday works.\n\nRegards\nPriya"
    without_rule = text.replace("________________________________\n", "")
    assert reply_text(without_rule) == "Yes, Thursday works.\n\nRegards\nPriya"


def test_the_reply_is_kept_above_a_french_attribution_line():
    text = (
        "Merci, c'est réglé.\n\n"
        "Le lun. 23 nov. 2026 à 10:00, Help desk <support@helpdesk.localhost> a écrit :\n"
        "> Bonjour Renée,\n"
    )
    assert reply_text(text) == "Merci, c'est réglé."


def test_answers_written_between_quoted_lines_are_kept():
    text = (
        "> What is your order number?\n4521\n> And your postcode?\nCR0 2AB\n\nSent from my iPhone"
    )
    assert reply_text(text) == "4521\nCR0 2AB"


def test_a_message_that_is_only_a_quote_is_kept_as_it_is():
    assert reply_text("> Hello\n> there") == "> Hello\n> there"


def test_nothing_is_quarantined_for_the_corpus_that_reads(agent):
    for name in (
        "plain.eml",
        "multipart_alternative.eml",
        "html_only.eml",
        "latin1.eml",
        "shift_jis.eml",
        "inline_image.eml",
        "forwarded.eml",
        "forwarded_as_attachment.eml",
        "attachments.eml",
    ):
        assert ingest(eml(name)).action == "created", name
    assert not QuarantinedEmail.objects.exists()
