"""From their case page a customer has a copy of their data mailed to them: a link
that works for a day, to their own data only."""

import io
import json
import re
import time
import zipfile

import pytest
import time_machine
from django.urls import reverse

from audit.log import Action
from audit.models import AuditEntry
from cases import links
from cases.personal_data import contact_erase
from outbox.models import OutboundEmail
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db
DATA_LINK = re.compile(r"https://help\.example\.com(/c/data/[^/\s]+/)")


@pytest.fixture
def case(agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", owner=agent)
    return CaseFactory(contact=contact, assignee=agent, subject="Printer on fire")


def open_page(client, case):
    """The customer follows the link mailed to them: this browser may see the case."""
    path = re.search(r"https?://[^/]+(/\S+)", links.access_link_create(case=case)).group(1)
    assert client.get(path).status_code == 302


def ask(client, case):
    return client.post(reverse("cases:customer_data_request", args=[case.reference]))


def data_mails():
    return list(OutboundEmail.objects.filter(kind=OutboundEmail.Kind.DATA))


def mailed_link() -> str:
    [mail] = data_mails()
    return DATA_LINK.search(mail.body_text).group(1)


def test_the_customer_gets_a_link_to_their_data_by_mail(client, case):
    CaseFactory(contact=case.contact, subject="Second request")
    CaseFactory(subject="Someone else's")
    open_page(client, case)

    answer = ask(client, case)
    download = client.get(mailed_link())

    assert answer.status_code == 302
    assert [(mail.to, mail.subject) for mail in data_mails()] == [
        ("maria@customer.example", "A copy of your data")
    ]
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    zipped = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    document = json.loads(zipped.read("contact.json"))
    assert document["contact"]["email"] == "maria@customer.example"
    assert sorted(c["subject"] for c in document["cases"]) == ["Printer on fire", "Second request"]
    (entry,) = AuditEntry.objects.filter(action=Action.CONTACT_EXPORTED)
    assert entry.actor is None and entry.detail.startswith("by the customer")


def test_a_browser_without_the_case_cannot_ask(client, case):
    assert ask(client, case).status_code == 404
    assert data_mails() == []


def test_the_link_works_for_a_day(client, case):
    open_page(client, case)
    ask(client, case)
    link = mailed_link()

    with time_machine.travel(time.time() + 24 * 3600 - 60):
        assert client.get(link).status_code == 200
    with time_machine.travel(time.time() + 24 * 3600 + 60):
        assert client.get(link).status_code == 404


@pytest.mark.parametrize("token", ["1", "1:abc:def", "x" * 300])
def test_a_forged_link_finds_nothing(client, case, token):
    assert client.get(reverse("cases:customer_data", args=[token])).status_code == 404
    assert not AuditEntry.objects.exists()


def test_the_link_stops_when_the_contact_is_erased(client, case):
    open_page(client, case)
    ask(client, case)
    link = mailed_link()

    contact_erase(contact=case.contact)

    assert client.get(link).status_code == 404


def test_asking_is_limited(client, case, settings):
    settings.LINK_REQUESTS_PER_HOUR = 2
    open_page(client, case)

    answers = [ask(client, case).status_code for _ in range(3)]

    assert answers == [302, 302, 429]
    assert len(data_mails()) == 2
