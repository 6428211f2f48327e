"""An agent mistypes her password, then logs a phone call for a new customer."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Channel, Priority
from tests.factories import CategoryFactory, TeamFactory


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


def test_agent_logs_a_phone_call_for_a_new_customer(page, screenshot, agent):
    CategoryFactory(name="Billing")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    expect(page.get_by_label("Username")).to_have_value("ana")
    screenshot(page, "01-login-refused")

    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Log a case").first.click()
    expect(page).to_have_url(re.compile(r"/desk/cases/new/$"))
    form = page.locator("#log-case-form")
    expect(form.get_by_label("Channel")).to_have_value(Channel.PHONE)
    screenshot(page, "02-log-a-case")

    # The browser asks for the subject and the words; the server for a contact. Its
    # messages are under the fields, and read out with them.
    form.get_by_label("Subject").fill("Charged twice")
    form.get_by_label("The customer's words").fill("I was charged twice for one order.")
    form.get_by_role("button", name="Log the case").click()
    expect(form.get_by_label("Name")).to_have_accessible_description(
        "Choose a contact above, or give the new contact's name."
    )
    expect(form.get_by_label("Email")).to_have_accessible_description(
        "A new contact needs an email, to keep them informed."
    )
    expect(form.locator(".is-invalid")).to_have_count(2)
    expect(form.get_by_label("Subject")).to_have_value("Charged twice")
    screenshot(page, "03-who-is-missing")
    assert not Case.objects.exists()

    form.get_by_label("Name").fill("Olu O'Brien")
    form.get_by_label("Email").fill("olu@customer.example")
    form.get_by_label("Category").select_option(label="Billing")
    form.get_by_label("Priority").select_option(label="High")
    form.get_by_role("button", name="Log the case").click()

    expect(page).to_have_url(re.compile(r"/desk/cases/HD-\d{6}/$"))
    case = Case.objects.get()
    expect(page.get_by_role("alert")).to_have_text(f"{case.reference} logged.")
    assert (case.contact.name, case.channel, case.priority) == (
        "Olu O'Brien",
        Channel.PHONE,
        Priority.HIGH,
    )
    screenshot(page, "04-logged")
