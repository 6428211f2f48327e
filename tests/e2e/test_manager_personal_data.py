"""A manager downloads everything held about a customer, then erases it."""

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.factories import CaseFactory, ContactFactory, MessageFactory, TeamFactory


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


def test_manager_exports_then_erases_a_contact(page, screenshot, manager, agent):
    maria = ContactFactory(name="Maria Garcia", email="maria@acme.example", owner=agent)
    case = CaseFactory(contact=maria, subject="Printer on fire", assignee=agent)
    MessageFactory(case=case, author_contact=maria, body="It smokes")

    page.goto(f"/desk/contacts/{maria.pk}/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#personal-data")).to_be_visible()
    screenshot(page, "01-contact-with-personal-data")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download all their data (ZIP)").click()
    zipped = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    document = json.loads(zipped.read("contact.json"))
    assert document["cases"][0]["messages"][0]["body"] == "It smokes"

    page.get_by_role("link", name="Erase their data…").click()
    expect(page.locator("#erase-summary")).to_contain_text("1 case")
    screenshot(page, "02-confirm-erasure")
    page.get_by_label("Type their email address to confirm").fill("wrong@acme.example")
    page.get_by_role("button", name="Erase their data").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("nothing was erased")
    page.get_by_label("Type their email address to confirm").fill("maria@acme.example")
    page.get_by_role("button", name="Erase their data").click()

    expect(page).to_have_url(re.compile(rf"/desk/contacts/{maria.pk}/$"))
    expect(page.locator("h1")).to_have_text(f"Erased contact {maria.pk}")
    expect(page.locator("#personal-data")).to_contain_text("Erased on")
    screenshot(page, "03-erased")
    assert Case.objects.get(pk=case.pk).subject == "(erased)"
