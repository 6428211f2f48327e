"""An agent looks a customer up in the contact directory and hands them to a colleague."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseEvent, Priority, Status
from contacts.models import Contact, OwnerChange
from tests.factories import CaseFactory, ContactFactory, OrganizationFactory, TeamFactory


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


@pytest.fixture
def maria(agent, other_agent):
    """Maria of Acme Rockets, owned by Ana (backup: Ben); three open cases and a closed one."""
    agent.backup = other_agent
    agent.save()
    maria = ContactFactory(
        name="Maria Garcia",
        email="maria@acme.example",
        phone="+34 600 111 222",
        organization=OrganizationFactory(name="Acme Rockets"),
        language="es",
        owner=agent,
    )
    now = timezone.now()
    cases = [
        ("Rocket arrived dented", Status.OPEN, Priority.HIGH, 1),
        ("Invoice shows the wrong VAT number", Status.WAITING, Priority.NORMAL, 3),
        ("Launch pad manual missing", Status.NEW, Priority.URGENT, 0),
        ("Password reset", Status.CLOSED, Priority.LOW, 30),
    ]
    for subject, status, priority, days_ago in cases:
        CaseFactory(
            contact=maria,
            subject=subject,
            status=status,
            priority=priority,
            assignee=agent,
            team=agent.team,
            created_at=now - timedelta(days=days_ago),
        )
    return maria


@pytest.fixture
def directory(maria, agent, other_agent):
    """A few more people, so the directory and the search have something to leave out."""
    globex = OrganizationFactory(name="Globex")
    for name, owner, organization in [
        ("Aiko Tanaka", agent, globex),
        ("Bruno Rossi", other_agent, None),
        ("Chloé Martin", None, globex),
        ("Olu O'Brien", other_agent, None),
    ]:
        ContactFactory(
            name=name,
            email=f"{name.split()[0].lower()}@customer.example",
            owner=owner,
            organization=organization,
        )
    CaseFactory(contact=Contact.objects.get(name="Bruno Rossi"), assignee=other_agent)


def log_in(page, next_url: str):
    page.goto(next_url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def test_agent_finds_a_contact_and_hands_them_to_a_colleague(
    page, screenshot, agent, other_agent, maria, directory
):
    log_in(page, "/desk/contacts/")
    rows = page.locator("#contacts tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("#contact-count")).to_have_text("5 contacts")
    screenshot(page, "01-directory")

    page.get_by_label("Search contacts").fill("acme")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("maria@acme.example")
    expect(rows.first).to_contain_text("Ana Silva")
    expect(rows.first.locator("td").last).to_have_text("3")
    screenshot(page, "02-directory-search")

    page.get_by_role("link", name="Maria Garcia").click()
    expect(page).to_have_url(re.compile(rf"/desk/contacts/{maria.pk}/$"))
    expect(page.get_by_role("heading", name="Maria Garcia")).to_be_visible()
    case_rows = page.locator("#contact-cases tbody tr")
    expect(case_rows).to_have_count(4)
    expect(case_rows.first).to_contain_text("Launch pad manual missing")
    expect(case_rows.last).to_contain_text("Password reset")
    expect(page.locator("#contact-owner")).to_contain_text("Ben Carter")  # the backup
    screenshot(page, "03-contact")

    page.get_by_role("link", name="Change owner").click()
    expect(page).to_have_url(re.compile(rf"/desk/contacts/{maria.pk}/owner/$"))
    expect(page.get_by_label("Also move their open cases to the new owner")).to_be_checked()
    screenshot(page, "03b-change-owner")
    page.get_by_role("combobox", name="New owner").select_option(label="Ben Carter (Customer Care)")
    page.get_by_label("Reason").fill("Ana is moving to the billing team.")
    page.get_by_role("button", name="Change owner").click()

    expect(page).to_have_url(re.compile(rf"/desk/contacts/{maria.pk}/$"))
    expect(page.get_by_role("alert")).to_have_text(
        "Ben Carter now owns Maria Garcia. 3 open cases moved to them."
    )
    expect(page.locator("#owner-history li").first).to_contain_text(
        "Ana Silva → Ben Carter by Ana Silva: Ana is moving to the billing team."
    )
    expect(page.locator("#contact-owner")).to_contain_text("Ben Carter")
    expect(case_rows.filter(has_text="Ben Carter")).to_have_count(3)
    expect(case_rows.filter(has_text="Password reset")).to_contain_text("Ana Silva")
    screenshot(page, "04-owner-changed")

    change = OwnerChange.objects.get()
    assert (change.previous_owner, change.new_owner, change.actor) == (
        agent,
        other_agent,
        agent.user,
    )
    assert Contact.objects.get(pk=maria.pk).owner == other_agent
    assert Case.objects.filter(contact=maria, assignee=other_agent).count() == 3
    assert CaseEvent.objects.filter(case__contact=maria, kind=CaseEvent.Kind.ASSIGNED).count() == 3


def test_choosing_the_current_owner_shows_why_nothing_changed(page, screenshot, agent, maria):
    log_in(page, f"/desk/contacts/{maria.pk}/owner/")

    page.get_by_role("combobox", name="New owner").select_option(label="Ana Silva (Customer Care)")
    page.get_by_role("button", name="Change owner").click()

    expect(page.locator("#change-owner")).to_contain_text("Ana Silva already owns Maria Garcia.")
    expect(page.get_by_role("combobox", name="New owner")).to_have_class(
        re.compile(r"\bis-invalid\b")
    )
    screenshot(page, "01-same-owner")
    assert not OwnerChange.objects.exists()


def test_agent_pages_through_a_search_of_the_directory(page, screenshot, agent, directory):
    globex = OrganizationFactory(name="Globex Clients")
    for number in range(30):
        ContactFactory(name=f"Client {number:02d}", organization=globex)
    log_in(page, "/desk/contacts/")

    page.get_by_label("Search contacts").fill("client")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#contacts tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator("#contact-count")).to_have_text("30 contacts")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 1 of 2")

    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/desk/contacts/\?q=client&page=2$"))
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Client 25")
    expect(page.get_by_label("Search contacts")).to_have_value("client")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 2 of 2")
    screenshot(page, "01-search-page-2")


def test_an_agent_types_a_contacts_new_organization(page, screenshot, agent, maria):
    log_in(page, f"/desk/contacts/{maria.pk}/")

    page.get_by_role("link", name="Edit details").click()
    expect(page).to_have_url(re.compile(rf"/desk/contacts/{maria.pk}/details/$"))
    field = page.get_by_role("textbox", name="Organization")
    expect(field).to_have_value("Acme Rockets")
    field.fill("Globex Launch Services")
    screenshot(page, "01-typing-the-organization")
    page.get_by_role("button", name="Save details").click()

    expect(page).to_have_url(re.compile(rf"/desk/contacts/{maria.pk}/$"))
    expect(page.locator("#contact-details")).to_contain_text("Globex Launch Services")
    screenshot(page, "02-organization-saved")
    assert Contact.objects.get(pk=maria.pk).organization.name == "Globex Launch Services"


def test_agent_goes_from_a_case_to_all_of_a_long_standing_customers_cases(
    page, screenshot, agent, maria
):
    """Beside a case the workspace lists the contact's ten newest other cases; "All their
    cases" leads to the contact's page, 25 a page, and its second page."""
    now = timezone.now()
    for n in range(30):
        CaseFactory(
            contact=maria,
            subject=f"Earlier order {n:02d}",
            status=Status.CLOSED,
            assignee=agent,
            created_at=now - timedelta(days=40 + n),
        )
    newest = maria.cases.order_by("-created_at").first()

    log_in(page, f"/desk/cases/{newest.reference}/")
    others = page.locator("#other-cases li")
    expect(others).to_have_count(10)
    expect(others.first).to_contain_text("Rocket arrived dented")
    screenshot(page, "01-workspace-ten-other-cases")

    page.get_by_role("link", name="All their cases").click()
    expect(page.get_by_role("heading", name="Maria Garcia")).to_be_visible()
    rows = page.locator("#contact-cases tbody tr")
    expect(rows).to_have_count(25)
    expect(page.get_by_text("34 cases, 3 open")).to_be_visible()
    screenshot(page, "02-contact-page-1")

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(rows).to_have_count(9)
    expect(rows.last).to_contain_text("Earlier order 29")
    screenshot(page, "03-contact-page-2")
