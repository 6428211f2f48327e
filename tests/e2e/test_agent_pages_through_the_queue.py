"""An agent filters the queue and goes on to the second page, which keeps the filters."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Priority
from tests.factories import CaseFactory, TeamFactory


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


@pytest.fixture
def printer_cases(agent):
    """30 urgent printer cases of Ana's, oldest first, beside cases the filters leave out."""
    start = timezone.now() - timedelta(days=1)
    for number in range(30):
        CaseFactory(
            assignee=agent,
            team=agent.team,
            priority=Priority.URGENT,
            subject=f"Printer {number:02d} jammed",
            created_at=start + timedelta(minutes=number),
        )
    CaseFactory(assignee=agent, team=agent.team, priority=Priority.LOW, subject="Printer toner")
    CaseFactory(assignee=agent, team=agent.team, priority=Priority.URGENT, subject="Phone dead")


def test_agent_filters_the_queue_and_the_second_page_keeps_the_filters(
    page, screenshot, agent, printer_cases
):
    page.goto("/desk/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#case-count")).to_have_text("32 cases")

    filters = page.locator("#filters")
    filters.locator("summary").click()
    filters.get_by_label("Search").fill("printer")
    filters.get_by_label("Urgent").check()
    filters.get_by_label("Sort by").select_option(label="Age")
    filters.get_by_role("button", name="Apply").click()
    expect(page.locator("#case-count")).to_have_text("30 cases")
    expect(page.locator("#queue tbody tr").first).to_contain_text("Printer 00 jammed")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 1 of 2")
    screenshot(page, "01-page-1")

    pages.get_by_role("link", name="Page 2").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2$"))
    for kept in ("q=printer", "priority=4", "sort=created", "assignee=me", "status=open"):
        expect(page).to_have_url(re.compile(rf"[?&]{kept}(&|$)"))
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Printer 25 jammed")
    expect(page.locator("#case-count")).to_have_text("30 cases")
    # The form shows the filters the page is under.
    expect(filters.get_by_label("Search")).to_have_value("printer")
    expect(filters.get_by_label("Urgent")).to_be_checked()
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 2 of 2")
    screenshot(page, "02-page-2")

    pages.get_by_role("link", name="Previous").click()
    expect(page).to_have_url(re.compile(r"[?&]page=1$"))
    expect(rows).to_have_count(25)
    expect(page.locator("#case-count")).to_have_text("30 cases")
