"""Finding a contact by address, or making one (an agent's log, inbound mail)."""

import pytest

from contacts.models import Contact
from contacts.services import contact_get_or_create
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_known_address_in_any_case_is_the_contact_on_file_with_their_name():
    maria = ContactFactory(name="Maria Garcia", email="maria@customer.example")

    found, created = contact_get_or_create(email=" MARIA@Customer.example ", name="M. G.")

    assert (found, created, found.name) == (maria, False, "Maria Garcia")


def test_a_new_address_makes_a_contact_from_what_was_typed():
    made, created = contact_get_or_create(
        email=" olu@customer.example ", name=" Olu Ade ", language="fr", phone=" 0601 "
    )

    assert created
    made.refresh_from_db()
    assert (made.email, made.name, made.language, made.phone) == (
        "olu@customer.example",
        "Olu Ade",
        "fr",
        "0601",
    )


def test_a_contact_made_by_someone_else_a_moment_ago_is_found(monkeypatch):
    theirs = ContactFactory(email="maria@customer.example")
    lookup = Contact.objects.with_email
    misses = iter([True])
    monkeypatch.setattr(
        Contact.objects,
        "with_email",
        lambda email: Contact.objects.none() if next(misses, False) else lookup(email),
    )

    found, created = contact_get_or_create(email="maria@customer.example", name="Maria")

    assert (found, created) == (theirs, False)
    assert Contact.objects.count() == 1
