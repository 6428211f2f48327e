"""A manager reads the reports: headline figures, filters, a sorted table and a download;
a plain agent sees only their own figures."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseRating, Message, SlaOutcome, Status, Target
from reports.rollup import rollup_rebuild
from tests.factories import AgentFactory, CaseFactory, TeamFactory, UserFactory

AGENT_CSV_HEADER = [
    "Name",
    "Solved",
    "First response median",
    "Resolution median",
    "Compliance",
    "Satisfaction",
    "Single point of contact",
]


def solved_case(agent, *, days_ago: int, missed: bool = False):
    """A case opened the day before it was solved, answered once an hour after it came in;
    its first-response target met (or missed) when the answer went out."""
    now = timezone.now()
    resolved_at = now - timedelta(days=days_ago)
    created_at = resolved_at - timedelta(days=1)
    answered_at = created_at + timedelta(hours=1)
    case = CaseFactory(
        team=agent.team,
        assignee=agent,
        status=Status.RESOLVED,
        created_at=created_at,
        first_response_at=answered_at,
        resolved_at=resolved_at,
    )
    Message.objects.create(case=case, author_contact=case.contact, body="Please help.")
    Message.objects.create(case=case, author_agent=agent, body="Done.", created_at=answered_at)
    due_at = created_at + timedelta(minutes=30 if missed else 120)
    SlaOutcome.objects.create(
        case=case,
        target=Target.FIRST_RESPONSE,
        due_at=due_at,
        done_at=answered_at,
        met=not missed,
        margin_seconds=int((due_at - answered_at).total_seconds()),
    )
    return case


@pytest.fixture
def desk(transactional_db):
    """Two teams' cases solved over the last two months, rolled up from the raw rows.

    Solved in the last 30 days: Ana 4, Ben 3, Cleo 2 (9); in the last 90: Ana 5, Ben 3,
    Cleo 4 (12), Billing's 4 of them.
    The live server reads the database from its own thread, so the data is committed.
    """
    care = TeamFactory(name="Customer Care")
    billing = TeamFactory(name="Billing")
    people = {}
    for username, first, last, team in [
        ("ana", "Ana", "Silva", care),
        ("ben", "Ben", "Carter", care),
        ("cleo", "Cleo", "Novak", billing),
    ]:
        people[username] = AgentFactory(
            team=team, user__username=username, user__first_name=first, user__last_name=last
        )
    manager = UserFactory(username="maya", first_name="Maya", last_name="Reyes", is_staff=True)
    AgentFactory(user=manager, team=None)
    ana, ben, cleo = people["ana"], people["ben"], people["cleo"]

    for agent, days_ago in [(ana, 2), (ana, 9), (ana, 20), (ben, 18), (ben, 25), (cleo, 15)]:
        solved_case(agent, days_ago=days_ago)
    solved_case(ben, days_ago=12, missed=True)
    praised = solved_case(ana, days_ago=5)
    CaseRating.objects.create(
        case=praised,
        agent=ana,
        score=5,
        recommend=10,
        comment="Quick and friendly, thank you!",
        created_at=praised.resolved_at + timedelta(hours=2),
    )
    rated = solved_case(cleo, days_ago=7)
    CaseRating.objects.create(
        case=rated, agent=cleo, score=3, created_at=rated.resolved_at + timedelta(hours=2)
    )
    # Earlier ones: in the last 90 days, not the last 30.
    for agent, days_ago in [(ana, 50), (cleo, 40), (cleo, 55)]:
        solved_case(agent, days_ago=days_ago)
    # Still open and past its target: the backlog.
    CaseFactory(
        team=care,
        status=Status.OPEN,
        created_at=timezone.now() - timedelta(days=4),
        due_at=timezone.now() - timedelta(hours=3),
    )
    rollup_rebuild()
    return SimpleNamespace(care=care, billing=billing, **people)


def log_in(page, username: str, next_url: str):
    page.goto(next_url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"^[^?]*" + re.escape(next_url) + "$"))


def figure(page, key: str):
    return page.locator(f"#figure-{key} .figure-value")


def agent_names(page) -> list[str]:
    return page.locator("#agent-table tbody th").all_inner_texts()


def test_manager_filters_sorts_and_downloads_the_reports(new_page, screenshot, desk):
    page = new_page()
    log_in(page, "maya", "/desk/reports/")

    # The last 30 days by default, against the 30 before.
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_label("Period")).to_have_value("30")
    expect(figure(page, "solved")).to_have_text("9")
    expect(figure(page, "created")).to_have_text("10")
    expect(page.locator("#figure-solved")).to_contain_text("up from 3")
    expect(figure(page, "satisfaction")).to_have_text("4.0 / 5")
    expect(page.locator("#backlog-total")).to_have_text("1")
    expect(page.locator("#backlog-overdue")).to_have_text("1")
    expect(page.locator("#comments")).to_contain_text("Quick and friendly, thank you!")
    # The open case came in unassigned: a row of its own, with nothing solved.
    assert agent_names(page) == ["Ana Silva", "Ben Carter", "Cleo Novak", "Unassigned"]
    # Each chart's numbers are a table too: one row per day.
    volume = page.locator("section").filter(has=page.get_by_role("heading", name="Volume per day"))
    volume.get_by_text("Show the figures as a table").click()
    expect(volume.locator("details.report-data tbody tr")).to_have_count(30)
    screenshot(page, "01-last-30-days")

    page.get_by_label("Period").select_option(label="Last 90 days")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]period=90(&|$)"))
    expect(figure(page, "solved")).to_have_text("12")
    screenshot(page, "02-last-90-days")

    page.get_by_label("Team", exact=True).select_option(label="Billing")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"[?&]team={desk.billing.pk}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]period=90(&|$)"))
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(desk.billing.pk))
    expect(figure(page, "solved")).to_have_text("4")
    expect(page.locator("#agent-table tbody tr")).to_have_count(1)
    expect(page.locator("#agent-table tbody")).to_contain_text("Cleo Novak")
    screenshot(page, "03-billing-last-90-days")

    # Every team again, then the per-agent table by name instead of cases solved.
    page.get_by_label("Team", exact=True).select_option(label="All teams")
    page.get_by_role("button", name="Show").click()
    expect(figure(page, "solved")).to_have_text("12")
    assert agent_names(page) == ["Ana Silva", "Cleo Novak", "Ben Carter", "Unassigned"]
    # Names sort A to Z first; the unassigned row stays last either way.
    name_header = page.locator("#agent-table thead th").filter(has_text="Name")
    name_header.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"[?&]asort=name(&|$)"))
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    assert agent_names(page) == ["Ana Silva", "Ben Carter", "Cleo Novak", "Unassigned"]
    expect(page).to_have_url(re.compile(r"[?&]period=90(&|$)"))
    screenshot(page, "04-agents-by-name")
    # The same header again turns the order round.
    name_header.get_by_role("link").click()
    expect(name_header).to_have_attribute("aria-sort", "descending")
    assert agent_names(page) == ["Cleo Novak", "Ben Carter", "Ana Silva", "Unassigned"]
    screenshot(page, "05-agents-by-name-reversed")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download per agent (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "report-agents.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == AGENT_CSV_HEADER
    assert {row[0]: row[1] for row in rows[1:]} == {
        "Ana Silva": "5",
        "Ben Carter": "3",
        "Cleo Novak": "4",
        "Unassigned": "0",
    }

    # A custom range the wrong way round is refused with a reason.
    today = timezone.localdate()
    page.get_by_label("Period").select_option(label="Custom range")
    page.get_by_label("From").fill((today - timedelta(days=5)).isoformat())
    page.get_by_label("To").fill((today - timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-filters .alert-danger")).to_have_text(
        "The range starts after it ends."
    )
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#headlines")).to_have_count(0)
    screenshot(page, "06-custom-range-backwards")


def test_agent_sees_only_their_own_figures(new_page, screenshot, desk):
    page = new_page()
    log_in(page, "ben", "/desk/reports/me/")
    expect(page.get_by_role("heading", name="My figures", level=1)).to_be_visible()
    expect(figure(page, "solved")).to_have_text("3")
    expect(page.get_by_label("Team", exact=True)).to_have_count(0)
    expect(page.locator("#agent-table")).to_have_count(0)
    # His own navigation has no way to the team reports.
    expect(page.get_by_role("link", name="Team reports")).to_have_count(0)
    screenshot(page, "01-my-figures")

    response = page.goto("/desk/reports/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not allowed here")
    screenshot(page, "02-team-reports-forbidden")
