"""The customer follows their case from the acknowledgement's link, answers, and rates the help."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases import desk
from cases.models import Case, CaseRating, Status
from tests.factories import CaseFactory, TeamFactory

LINK = re.compile(r"https?://[^/\s]+(/c/[\w-]+/)")


@pytest.fixture
def team(transactional_db):
    return TeamFactory(name="Customer Care", is_default=True)


def test_customer_follows_the_link_replies_and_rates_the_help(
    page, new_page, screenshot, agent, tmp_path, settings, live_server
):
    settings.SITE_URL = live_server.url
    mail.outbox = []
    page.goto("/contact/")
    page.get_by_label("Your name").fill("Maria Garcia")
    page.get_by_label("Your email").fill("maria@customer.example")
    page.get_by_label("Subject").fill("Printer on fire")
    page.get_by_label("How can we help?").fill("Smoke is coming out of the printer.")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/contact/thanks/HD-\d{6}/$"))
    case = Case.objects.get()

    # The acknowledgement's link opens the case page, without the token in the address.
    [acknowledgement] = mail.outbox
    link = LINK.search(acknowledgement.body).group(1)
    customer = new_page()
    customer.goto(link)
    expect(customer).to_have_url(re.compile(rf"/c/case/{case.reference}/$"))
    expect(customer.locator("#conversation")).to_contain_text("Smoke is coming out")
    screenshot(customer, "01-case-page")

    photo = tmp_path / "printer.txt"
    photo.write_text("Model LaserJet 4000, serial 12345")
    customer.get_by_label("Your message").fill("Here is the model and serial number.")
    customer.locator("#customer-reply-form input[type=file]").set_input_files(photo)
    customer.get_by_role("button", name="Send").click()
    expect(customer.locator(".alert-success")).to_contain_text("your message was added")
    expect(customer.locator("#conversation")).to_contain_text("printer.txt")
    screenshot(customer, "02-replied")

    # The agent answers and resolves it; the resolved email asks for a rating.
    case.refresh_from_db()
    desk.case_reply(
        case=case,
        agent=agent,
        body="The fire is out; a new printer arrives on Monday.",
        seen_version=case.version,
        status_after=Status.RESOLVED,
    )
    resolved = next(message for message in mail.outbox if "Resolved" in message.subject)
    five = re.search(r"5: https?://[^/\s]+(\S+)", resolved.body).group(1)

    customer.goto(five)
    expect(customer.locator("#rating-form")).to_be_visible()
    expect(customer.locator("#rating-form input[name='score'][value='5']")).to_be_checked()
    assert not CaseRating.objects.exists()  # opening the link rated nothing
    customer.get_by_label("Anything you would like to tell us? (optional)").fill("Fast and kind.")
    # The optional 0-10 question: how likely they are to recommend us.
    customer.locator("label[for='id_recommend_9']").click()
    screenshot(customer, "03-rating")
    customer.get_by_role("button", name="Send my rating").click()
    expect(customer.locator("#rating")).to_contain_text("You rated the help 5 out of 5.")
    screenshot(customer, "04-rated")

    rating = CaseRating.objects.get()
    assert (rating.score, rating.comment, rating.agent) == (5, "Fast and kind.", case.assignee)
    assert rating.recommend == 9


def test_customer_asks_for_fresh_links_and_fixes_a_mistyped_address(
    page, screenshot, team, customer
):
    CaseFactory(contact=customer, subject="Printer on fire", team=team)
    mail.outbox = []
    page.goto("/")
    page.get_by_role("link", name="My requests").click()
    expect(page).to_have_url(re.compile(r"/c/$"))
    screenshot(page, "01-find-your-request")

    # The browser lets "maria@customer" through; the server asks again, under the field.
    page.get_by_label("Your email").fill("maria@customer")
    page.get_by_role("button", name="Send me my links").click()
    expect(page.get_by_label("Your email")).to_have_accessible_description(
        "Enter a valid email address."
    )
    screenshot(page, "02-mistyped")
    assert mail.outbox == []

    page.get_by_label("Your email").fill("maria@customer.example")
    page.get_by_role("button", name="Send me my links").click()
    expect(page.locator("#link-sent")).to_contain_text("maria@customer.example")
    screenshot(page, "03-sent")
    [links] = mail.outbox
    assert links.to == ["maria@customer.example"]
