"""To an address that has never answered us, what a sender typed is inert: no link can be
made of it, in the Subject header or in either part of the acknowledgement."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cases.acknowledgements import acknowledgement_digests_send, has_answered, inert_text
from cases.customer import case_customer_reply
from cases.models import Case, Channel
from tests.cases.test_contact_form import form_data
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db

PHISHING = "Your account is suspended, visit http://evil.example/login or evil.example/reset"
# What a mail client could make a link of: a scheme it knows, or a dotted host name.
LINKABLE = re.compile(
    r"\b(?:https?|ftps?|file|mailto|javascript|vbscript|data|tel|sms)\s*:|\w[.。．｡][^\W\d_]{2,}",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("text", "inert"),
    [
        ("visit http://evil.example/login", "visit hxxp://evil[.]example/login"),
        ("HTTPS://Evil.Example/x?a=1", "HxxPS://Evil[.]Example/x?a=1"),
        ("see evil.example/path now", "see evil[.]example/path now"),
        ("www.evil.co.uk", "www[.]evil[.]co[.]uk"),
        ("ftp://files.example/a", "fxp://files[.]example/a"),
        ("write to help@evil.example", "write to help@evil[.]example"),
        ("http://10.0.0.1/admin", "hxxp://10[.]0[.]0[.]1/admin"),
        ("javascript:alert(1)", "javascript[:]alert(1)"),
        ("mailto:someone", "mailto[:]someone"),
        ("call tel:+15550100", "call tel[:]+15550100"),
        ("ssh://host", "ssh[:]//host"),
        # Full-width letters and an ideographic dot read as "http://evil.example".
        ("ｈｔｔｐ：／／evil。example", "hxxp://evil[.]example"),
        # A zero-width space or a bidi override is dropped before looking.
        ("evil\u200b.example", "evil[.]example"),
        ("\u202eelpmaxe.live", "elpmaxe[.]live"),
        ("bücher.example", "bücher[.]example"),
    ],
)
def test_links_and_host_names_are_broken(text, inert):
    assert inert_text(text) == inert
    assert not LINKABLE.search(inert_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "My order has not arrived",
        "Version 2.5 crashes",
        "Café au lait: 3.50 €",
        "Order #4471",
        "Missing data: the invoice",
        "Tel: 555 0100",
        "HTTP error 500 at checkout",
    ],
)
def test_ordinary_text_is_left_as_it_is(text):
    assert inert_text(text) == text


def submit(client, **overrides):
    return client.post(reverse("cases:contact"), form_data(**overrides))


def test_to_an_address_that_never_answered_the_subject_is_inert_everywhere(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, email="victim@example.org", subject=PHISHING[:200])

    case = Case.objects.get()
    assert case.subject == PHISHING  # stored as typed, for the desk
    [mail] = mailoutbox
    inert = "Your account is suspended, visit hxxp://evil[.]example/login or evil[.]example/reset"
    assert mail.subject == f"[{case.reference}] We have your request: {inert}"
    assert inert in mail.body
    assert inert in mail.alternatives[0].content
    for part in (mail.subject, mail.body, mail.alternatives[0].content):
        assert "evil.example" not in part
        assert "http://evil" not in part
    # Our own link to the case page is still there.
    assert "https://help.example.com/c/" in mail.body


def test_the_name_a_stranger_typed_is_inert_too(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, email="victim@example.org", name="http://evil.example/login Team")

    assert mailoutbox[0].body.startswith("Hi hxxp://evil[.]example/login,")


def test_an_address_that_only_opened_cases_is_still_a_stranger(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    contact = ContactFactory(email="victim@example.org")
    earlier = CaseFactory(contact=contact, channel=Channel.EMAIL)
    earlier.messages.create(author_contact=contact, body="Hi", created_at=earlier.created_at)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, email="victim@example.org", subject=PHISHING[:200])

    assert not has_answered(contact)
    assert "hxxp://evil[.]example/login" in mailoutbox[0].subject


def test_a_second_post_of_the_form_is_not_an_answer(client, agent):
    submit(client, email="victim@example.org")
    submit(client, email="victim@example.org", message="Another text, same form.")

    case = Case.objects.get()
    assert case.messages.count() == 2
    assert not has_answered(case.contact)


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.WEB])
def test_to_a_customer_who_has_written_back_the_subject_is_as_typed(
    client, agent, django_capture_on_commit_callbacks, mailoutbox, channel
):
    # They answered on an earlier case: by mail, or on the case page (a private link).
    contact = ContactFactory(email="maria@customer.example", name="Maria Garcia")
    earlier = CaseFactory(contact=contact)
    case_customer_reply(case=earlier, contact=contact, body="Thanks, it works.", channel=channel)
    assert has_answered(contact)

    with django_capture_on_commit_callbacks(execute=True):
        submit(client, subject="Broken link on http://shop.example/cart")

    assert mailoutbox[0].subject.endswith(
        "We have your request: Broken link on http://shop.example/cart"
    )
    assert "http://shop.example/cart" in mailoutbox[0].body
    assert "http://shop.example/cart" in mailoutbox[0].alternatives[0].content


def test_another_customers_answer_does_not_count(agent):
    contact = ContactFactory(email="victim@example.org")
    stranger = ContactFactory(email="someone@example.org")
    case = CaseFactory(contact=contact)
    case.messages.create(author_contact=stranger, body="Me too")

    assert not has_answered(contact)
    assert has_answered(stranger)


def test_the_digest_to_a_stranger_is_inert_too(
    client, agent, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR = 1
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, email="victim@example.org", subject="First")
        submit(
            client,
            email="victim@example.org",
            subject=PHISHING[:200],
            submission_token="9d1f2c1e-0000-4000-8000-000000000001",
        )
    with (
        time_machine.travel(timedelta(hours=1, seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert acknowledgement_digests_send() == 1

    digest = mailoutbox[-1]
    assert "hxxp://evil[.]example/login" in digest.body
    assert "hxxp://evil[.]example/login" in digest.alternatives[0].content
    assert "evil.example" not in digest.body + digest.alternatives[0].content
