"""An agent finds a new case in the queue, claims it, and answers it from the workspace."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CannedAnswer, Case, Message, Phrase, Priority, Status
from tests.factories import CaseFactory, MessageFactory, TeamFactory

CANNED_BODY = "Hi {first_name}, I have {reference} and I am on it. {agent_first_name}"


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


@pytest.fixture
def printer_case(agent, other_agent, customer):
    """Maria's new, unassigned case in Ana's team, among her older ones and other people's."""
    now = timezone.now()
    for subject, status, days_ago in [
        ("Toner cartridge leaking", Status.CLOSED, 40),
        ("Invoice for the service visit", Status.RESOLVED, 12),
    ]:
        CaseFactory(
            contact=customer,
            subject=subject,
            status=status,
            assignee=other_agent,
            team=agent.team,
            created_at=now - timedelta(days=days_ago),
        )
    # The queue has more on it, so the view and the search each have something to leave out.
    for subject, assignee, team in [
        ("Cannot log in to the portal", None, agent.team),
        ("Delivery address is wrong", None, agent.team),
        ("Printer paper jam", other_agent, agent.team),
        ("Printer driver for macOS", None, TeamFactory(name="Hardware")),
    ]:
        CaseFactory(
            subject=subject, assignee=assignee, team=team, created_at=now - timedelta(hours=2)
        )
    case = CaseFactory(
        contact=customer,
        subject="Printer on fire",
        status=Status.NEW,
        priority=Priority.URGENT,
        team=agent.team,
    )
    MessageFactory(case=case, body="Smoke is coming out of the office printer. Please help!")
    return case


@pytest.fixture
def writing_help(team):
    CannedAnswer.objects.create(title="Looking into it", body=CANNED_BODY)
    CannedAnswer.objects.create(title="Closing the case", body="Hi {first_name}, all done.")
    Phrase.objects.create(avoid="unfortunately", prefer="here is what we can do")


def log_in(page, next_url: str = "/desk/"):
    page.goto(next_url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


@pytest.fixture
def quote(tmp_path):
    path = tmp_path / "quote.txt"
    path.write_text("New toner: 49.00 EUR, delivered tomorrow.\n")
    return path


def test_agent_claims_a_new_case_and_answers_it_with_a_canned_answer(
    page, screenshot, agent, printer_case, writing_help, quote
):
    reference = printer_case.reference
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()

    # The default view, "My open", has nothing for her yet.
    expect(page).to_have_url(re.compile(r"/desk/$"))
    views = page.locator("#views")
    expect(views.get_by_role("link", name="My open")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#case-count")).to_have_text("0 cases")
    expect(page.locator("#queue tbody")).to_contain_text("No cases match these filters.")
    expect(page.locator("#filters")).not_to_have_attribute("open", "")
    screenshot(page, "01-my-open-empty")

    views.get_by_role("link", name="Unassigned in my team").click()
    expect(page).to_have_url(re.compile(r"assignee=none"))
    expect(views.get_by_role("link", name="Unassigned in my team")).to_have_class(
        re.compile(r"\bactive\b")
    )
    expect(page.locator("#case-count")).to_have_text("3 cases")
    # Away from the default view the filters stand open, showing what the view filters on.
    filters = page.locator("#filters")
    expect(filters).to_have_attribute("open", "")
    expect(filters.get_by_label("Assignee")).to_have_value("none")

    filters.get_by_label("Search").fill("printer")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]q=printer(&|$)"))
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)
    row = page.locator(f'#queue tr[data-reference="{reference}"]')
    expect(row).to_contain_text("Printer on fire")
    expect(row).to_contain_text("Maria Garcia")
    expect(row).to_contain_text("Unassigned")
    expect(page.locator("#case-count")).to_have_text("1 case")
    screenshot(page, "02-queue-filtered")

    filtered_url = page.url
    row.get_by_role("button", name="Claim").click()
    # Claiming brings her back to the same filtered view, where the case, no longer
    # unassigned, has left; the message says where it went.
    expect(page.get_by_role("alert")).to_have_text(f"{reference} is yours now.")
    assert page.url == filtered_url
    expect(rows).to_have_count(1)
    expect(page.locator("#queue tbody")).to_contain_text("No cases match these filters.")

    views.get_by_role("link", name="My open").click()
    row = page.locator(f'#queue tr[data-reference="{reference}"]')
    expect(row).to_contain_text("Ana Silva")
    expect(row.get_by_role("button", name="Claim")).to_have_count(0)
    screenshot(page, "03-my-open-claimed")

    row.get_by_role("link", name=reference).click()
    expect(page).to_have_url(re.compile(rf"/desk/cases/{reference}/$"))
    expect(page.locator("#case-assignee")).to_have_text("Ana Silva")
    expect(page.locator("#timeline")).to_contain_text("Smoke is coming out of the office printer.")
    panel = page.locator("#contact-panel")
    expect(panel).to_contain_text("Maria Garcia")
    expect(panel).to_contain_text("maria@customer.example")
    other_cases = page.locator("#other-cases li")
    expect(other_cases).to_have_count(2)
    expect(other_cases.nth(0)).to_contain_text("Invoice for the service visit")
    expect(other_cases.nth(0)).to_contain_text("Resolved")
    expect(other_cases.nth(1)).to_contain_text("Toner cartridge leaking")
    expect(other_cases.nth(1)).to_contain_text("Closed")
    screenshot(page, "04-workspace")

    # The canned answer goes into the reply box in place, filled in for Maria.
    body = page.locator("#reply-form textarea[name=body]")
    url = page.url
    page.locator("#canned-select").select_option(label="Looking into it")
    page.get_by_role("button", name="Insert canned answer").click()
    greeting = f"Hi Maria, I have {reference} and I am on it. Ana"
    expect(body).to_have_value(greeting)
    assert page.url == url
    expect(page.locator("#phrase-hints")).to_be_empty()

    body.press("End")
    body.press_sequentially(" Unfortunately the part is late.")
    text = f"{greeting} Unfortunately the part is late."
    expect(body).to_have_value(text)
    expect(page.locator("#phrase-hints")).to_have_text(
        "Instead of “unfortunately”, try “here is what we can do”."
    )

    page.locator("#reply-form input[type=file]").set_input_files(quote)
    page.get_by_role("button", name="Send reply").click()
    warnings = page.locator("#phrase-warnings")
    expect(warnings).to_contain_text("Before you send: the phrase guide suggests")
    expect(warnings).to_contain_text("instead of “unfortunately”, say “here is what we can do”")
    expect(body).to_have_value(text)
    # The chosen file waits on the server, ticked, so the agent need not choose it again.
    expect(page.get_by_role("checkbox", name=re.compile("quote.txt"))).to_be_checked()
    expect(page.locator("#choose-again")).to_have_count(0)
    assert not Message.objects.filter(case=printer_case, author_agent=agent).exists()
    assert mail.outbox == []
    screenshot(page, "05-phrase-warning")

    page.get_by_role("button", name="Send anyway").click()
    expect(page).to_have_url(re.compile(rf"/desk/cases/{reference}/$"))
    expect(page.get_by_role("alert")).to_have_text("Reply sent to maria@customer.example.")
    expect(page.locator("#timeline [data-kind=message]").last).to_contain_text(text)
    expect(page.locator("#phrase-warnings")).to_have_count(0)
    expect(body).to_have_value("")
    screenshot(page, "06-reply-sent")

    reply = Message.objects.get(case=printer_case, author_agent=agent)
    assert (reply.body, reply.is_internal) == (text, False)
    printer_case.refresh_from_db()
    assert (printer_case.assignee, printer_case.status) == (agent, Status.WAITING)
    assert printer_case.first_response_at == reply.created_at
    # The live server runs in this process: the mail sent after commit lands in this outbox.
    [email] = mail.outbox
    assert email.to == ["maria@customer.example"]
    assert f"[{reference}]" in email.subject
    assert "Re: Printer on fire" in email.subject
    assert "Unfortunately the part is late." in email.body
    assert [name for name, *_ in email.attachments] == ["quote.txt"]
    assert [a.name for a in reply.attachments.all()] == ["quote.txt"]


def test_an_internal_note_shows_in_the_timeline_and_sends_no_mail(
    page, screenshot, agent, printer_case
):
    reference = printer_case.reference
    log_in(page, f"/desk/cases/{reference}/")

    page.locator("#reply-form textarea[name=body]").fill("Called Maria: the fire is out.")
    page.get_by_role("button", name="Add internal note").click()

    expect(page).to_have_url(re.compile(rf"/desk/cases/{reference}/$"))
    expect(page.get_by_role("alert")).to_have_text("Internal note added.")
    note = page.locator("#timeline [data-kind=note]")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Called Maria: the fire is out.")
    expect(note).to_contain_text("Ana Silva")
    expect(note.locator(".badge")).to_have_text("Internal note")
    screenshot(page, "01-note-added")

    note_message = Message.objects.get(case=printer_case, author_agent=agent)
    assert note_message.is_internal
    assert Case.objects.get(pk=printer_case.pk).status == Status.NEW
    assert mail.outbox == []


def test_agent_merges_a_duplicate_after_seeing_both_cases(
    page, screenshot, agent, customer, printer_case
):
    duplicate = CaseFactory(contact=customer, subject="Printer still smoking", team=agent.team)
    MessageFactory(case=duplicate, body="It is smoking again, same printer.")
    log_in(page, f"/desk/cases/{duplicate.reference}/")

    page.get_by_label("Merge this case into").fill(printer_case.reference)
    page.get_by_role("button", name="Merge into that case").click()

    question = f"Merge {duplicate.reference} into {printer_case.reference}?"
    expect(page.get_by_role("heading", name=question)).to_be_visible()
    expect(page.locator("#merge-cases")).to_contain_text("Printer still smoking")
    expect(page.locator("#merge-cases")).to_contain_text("Printer on fire")
    screenshot(page, "01-merge-confirmation")
    assert Case.objects.get(pk=duplicate.pk).merged_into is None

    page.get_by_role("button", name=f"Merge into {printer_case.reference}").click()

    expect(page).to_have_url(re.compile(rf"/desk/cases/{printer_case.reference}/$"))
    expect(page.locator("#timeline")).to_contain_text("It is smoking again, same printer.")
    screenshot(page, "02-merged")
    assert Case.objects.get(pk=duplicate.pk).merged_into == printer_case
