"""A customer writes in through the contact form; the agent who owns it finds it on their desk."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases.models import Attachment, Case
from contacts.models import Contact
from tests.factories import CategoryFactory, TeamFactory

REFERENCE = re.compile(r"HD-\d{6}")
RECEIPT = "Order 4417, paid on 3 March.\nAmount: 129.00 EUR\n"


@pytest.fixture
def team(transactional_db):
    """The default team, so `agent` (Ana Silva) is the one who receives new cases."""
    return TeamFactory(name="Customer Care", is_default=True)


@pytest.fixture
def billing(team):
    return CategoryFactory(name="Billing", default_team=team)


@pytest.fixture
def receipt(tmp_path):
    path = tmp_path / "receipt.txt"
    path.write_text(RECEIPT)
    return path


def send_contact_form(page, *, subject: str, category: str, receipt) -> str:
    """Fill in the contact form as Maria, send it, and return the reference she is shown."""
    page.get_by_label("Your name").fill("Maria Garcia")
    page.get_by_label("Your email").fill("maria@customer.example")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("What is it about?").select_option(label=category)
    page.get_by_label("How can we help?").fill("I was charged twice for order 4417.")
    page.locator("#id_attachments").set_input_files(receipt)
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/contact/thanks/HD-\d{6}/$"))
    return page.locator("#case-reference").inner_text()


def test_customer_sends_the_form_and_is_given_a_reference_and_an_acknowledgement(
    page, screenshot, agent, billing, receipt
):
    page.goto("/contact/")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    screenshot(page, "01-contact-form")

    reference = send_contact_form(
        page, subject="Charged twice for my order", category="Billing", receipt=receipt
    )
    screenshot(page, "02-thanks")

    assert REFERENCE.fullmatch(reference)
    expect(page.get_by_text("maria@customer.example")).to_be_visible()
    case = Case.objects.get(subject="Charged twice for my order")
    assert case.reference == reference
    assert (case.assignee, case.team, case.category) == (agent, agent.team, billing)
    assert Contact.objects.get(email="maria@customer.example").owner == agent
    attachment = Attachment.objects.get(message__case=case)
    assert (attachment.name, attachment.content_type) == ("receipt.txt", "text/plain")
    with attachment.file.open("rb") as stored:
        assert stored.read().decode() == RECEIPT
    # The live server runs in this process, so its mail lands in the same locmem outbox.
    [acknowledgement] = mail.outbox
    assert acknowledgement.to == ["maria@customer.example"]
    assert f"[{reference}]" in acknowledgement.subject


def test_agent_finds_the_new_case_in_their_queue(new_page, screenshot, agent, billing, receipt):
    customer = new_page()
    customer.goto("/contact/")
    reference = send_contact_form(
        customer, subject="Charged twice for my order", category="Billing", receipt=receipt
    )

    desk = new_page()
    desk.goto("/desk/")
    expect(desk).to_have_url(re.compile(r"/accounts/login/\?next=/desk/$"))
    screenshot(desk, "01-login")
    desk.get_by_label("Username").fill("ana")
    desk.get_by_label("Password").fill("secret-password")
    desk.get_by_role("button", name="Log in").click()

    expect(desk).to_have_url(re.compile(r"/desk/$"))
    row = desk.locator(f'#queue tr[data-reference="{reference}"]')
    expect(row).to_contain_text("Charged twice for my order")
    expect(row).to_contain_text("Maria Garcia")
    expect(row).to_contain_text("Ana Silva")
    screenshot(desk, "02-queue")


def test_empty_form_shows_what_is_missing_and_stores_nothing(page, screenshot):
    page.goto("/contact/")
    page.get_by_role("button", name="Send").click()

    expect(page.locator("#id_name")).to_have_class(re.compile(r"\bis-invalid\b"))
    # A screen reader reads the message with the field, not only somewhere on the page.
    expect(page.get_by_label("Your name")).to_have_accessible_description("This field is required.")
    for field in ("name", "email", "subject", "message"):
        expect(page.locator(f"#id_{field}_error")).to_have_text("This field is required.")
    expect(page.locator("#id_category_error")).to_have_count(0)
    screenshot(page, "01-errors")

    assert page.url.endswith("/contact/")
    assert not Case.objects.exists()
    assert not Contact.objects.exists()
    assert mail.outbox == []


def test_a_file_chosen_before_an_error_is_kept_for_the_next_try(page, screenshot, agent, receipt):
    page.goto("/contact/")
    page.get_by_label("Your name").fill("Maria Garcia")
    page.get_by_label("Your email").fill("maria@customer.example")
    page.get_by_label("Subject").fill("Charged twice")
    page.locator("#id_attachments").set_input_files(receipt)
    page.get_by_role("button", name="Send").click()

    expect(page.locator("#id_message_error")).to_have_text("This field is required.")
    kept = page.get_by_role("checkbox", name=re.compile("receipt.txt"))
    expect(kept).to_be_checked()
    expect(page.get_by_label("Subject")).to_have_value("Charged twice")
    screenshot(page, "01-error-with-the-file-kept")
    assert not Case.objects.exists()

    page.get_by_label("How can we help?").fill("I was charged twice for order 4417.")
    page.get_by_role("button", name="Send").click()

    expect(page).to_have_url(re.compile(r"/contact/thanks/HD-\d{6}/$"))
    attachment = Attachment.objects.get(message__case=Case.objects.get())
    assert attachment.name == "receipt.txt"
    with attachment.file.open("rb") as stored:
        assert stored.read().decode() == RECEIPT
