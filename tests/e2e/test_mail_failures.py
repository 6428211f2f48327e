"""Mail that could not be sent: an agent sees it on the case and sends one again with
"Retry now"; a manager finds the failed mail in admin's outbox and sends it again there."""

import re
from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agents.models import Agent
from audit.models import Action, AuditEntry
from cases.models import Status
from outbox.models import OutboundEmail
from tests.factories import CaseFactory, MessageFactory, TeamFactory

MARIA = "maria@customer.example"
NOT_THROUGH = "Mail to the customer is not getting through."
TRY_AGAIN = "451 4.3.0 Try again later"
NO_SUCH_USER = "550 5.1.1 No such user"
DEFERRED = (
    "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to unexpected "
    "volume or user complaints - 4.16.55.1; see https://postmaster.example.com/errors/421"
)
numbers = count()


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


def stored(*, case=None, kind=OutboundEmail.Kind.REPLY, subject, **fields) -> OutboundEmail:
    """A mail in the outbox, as the portal stores it for the relay to send."""
    return OutboundEmail.objects.create(
        case=case,
        kind=kind,
        to=fields.pop("to", MARIA),
        subject=subject,
        body_text="Hello Maria, we have your message.",
        message_id_header=f"<e2e-mail-{next(numbers)}@helpdesk.localhost>",
        **fields,
    )


@pytest.fixture
def printer_case(agent, customer):
    """Maria's case, opened half an hour ago: its acknowledgement met a busy mail server
    (451, retried), and the reply after it was refused for good (550, given up)."""
    Agent.objects.filter(pk=agent.pk).update(time_zone="Europe/Paris")
    now = timezone.now()
    case = CaseFactory(
        contact=customer, subject="Printer on fire", status=Status.OPEN, assignee=agent
    )
    MessageFactory(case=case, body="Smoke is coming out of the office printer. Please help!")
    stored(
        case=case,
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        subject=f"[{case.reference}] We have your message",
        created_at=now - timedelta(minutes=30),
        attempts=4,
        last_error=TRY_AGAIN,
        failing_since=now - timedelta(minutes=30),
        next_attempt_at=now + timedelta(minutes=5),
    )
    stored(
        case=case,
        subject=f"Re: [{case.reference}] Printer on fire",
        created_at=now - timedelta(minutes=20),
        attempts=1,
        last_error=NO_SUCH_USER,
        failing_since=now - timedelta(minutes=20),
        next_attempt_at=now - timedelta(minutes=20),
        failed_at=now - timedelta(minutes=20),
    )
    return case


def notice(page, email):
    return page.locator(f"#mail-problems li[data-mail='{email.pk}']")


def test_agent_sees_failed_mail_on_the_case_and_retries_the_one_given_up(
    page, screenshot, agent, printer_case
):
    ack = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT)
    reply = OutboundEmail.objects.get(kind=OutboundEmail.Kind.REPLY)
    zone = Agent.objects.get(pk=agent.pk).zone
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))

    page.goto(f"/desk/cases/{printer_case.reference}/")
    problems = page.locator("#mail-problems")
    expect(problems).to_contain_text(NOT_THROUGH)
    expect(problems.locator("li")).to_have_count(2)
    # Newest first: the reply given up on, then the acknowledgement still being tried.
    expect(problems.locator("li").first).to_have_attribute("data-mail", str(reply.pk))
    gave_up = timezone.localtime(reply.failed_at, zone)
    expect(notice(page, reply)).to_contain_text(
        f"Agent reply “Re: [{printer_case.reference}] Printer on fire” to {MARIA} "
        f"could not be sent: {NO_SUCH_USER}"
    )
    expect(notice(page, reply)).to_contain_text(f"gave up on {gave_up:%-d %b %H:%M}.")
    next_try = timezone.localtime(ack.next_attempt_at, zone)
    expect(notice(page, ack)).to_contain_text(
        f"Acknowledgement “[{printer_case.reference}] We have your message” to {MARIA} "
        f"could not be sent: {TRY_AGAIN}"
    )
    expect(notice(page, ack)).to_contain_text(f"will try again at {next_try:%H:%M}.")
    for email in (ack, reply):
        expect(notice(page, email).get_by_role("button", name="Retry now")).to_be_visible()
    screenshot(page, "01-workspace-with-two-failed-mails")

    before = timezone.now()
    notice(page, reply).get_by_role("button", name="Retry now").click()
    expect(page).to_have_url(re.compile(rf"/desk/cases/{printer_case.reference}/$"))
    expect(page.locator(".alert-success")).to_contain_text(
        f"The mail to {MARIA} will be sent within seconds."
    )
    after = timezone.now()

    reply.refresh_from_db()
    assert before <= reply.next_attempt_at <= after
    assert (reply.failed_at, reply.failing_since, reply.sent_at) == (None, None, None)
    # Still unsent until the relay's next pass: the notice now says when, not that it gave up.
    retried = timezone.localtime(reply.next_attempt_at, zone)
    expect(notice(page, reply)).to_contain_text(NO_SUCH_USER)
    expect(notice(page, reply)).to_contain_text(f"will try again at {retried:%H:%M}.")
    expect(notice(page, reply)).not_to_contain_text("gave up on")
    # The other mail is left as it was.
    expect(notice(page, ack)).to_contain_text(f"will try again at {next_try:%H:%M}.")
    ack_before = ack.next_attempt_at
    ack.refresh_from_db()
    assert ack.next_attempt_at == ack_before
    screenshot(page, "02-workspace-after-retry-now")

    [entry] = AuditEntry.objects.filter(action=Action.MAIL_RETRIED)
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        agent.user_id,
        "outbox.outboundemail",
        str(reply.pk),
    )
    assert entry.detail.startswith(
        f"Retry now, from the case workspace of {printer_case.reference}: it was given up on "
    )
    assert entry.detail.endswith("after 1 attempt.")


@pytest.fixture
def outbox(team, customer):
    """The outbox as a manager finds it: one mail given up on, two being retried (one with
    a long answer from the server), one sent and one waiting for its first try."""
    now = timezone.now()
    case = CaseFactory(contact=customer, subject="Printer on fire", status=Status.OPEN)
    failed = stored(
        case=case,
        subject=f"Re: [{case.reference}] Printer on fire",
        created_at=now - timedelta(hours=2),
        attempts=1,
        last_error=NO_SUCH_USER,
        failing_since=now - timedelta(hours=2),
        failed_at=now - timedelta(hours=2),
    )
    stored(
        case=case,
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        subject=f"[{case.reference}] We have your message",
        created_at=now - timedelta(hours=3),
        attempts=5,
        last_error=TRY_AGAIN,
        failing_since=now - timedelta(hours=3),
        next_attempt_at=now + timedelta(minutes=10),
    )
    stored(
        case=case,
        kind=OutboundEmail.Kind.REMINDER,
        to="ana.silva@help.example.com",
        subject=f"[{case.reference}] First response due in 30 minutes",
        created_at=now - timedelta(minutes=40),
        attempts=3,
        last_error=DEFERRED,
        failing_since=now - timedelta(minutes=40),
        next_attempt_at=now + timedelta(minutes=5),
    )
    stored(
        subject="Your case links",
        kind=OutboundEmail.Kind.LINKS,
        created_at=now - timedelta(days=1),
        attempts=1,
        sent_at=now - timedelta(days=1),
    )
    stored(
        subject="Weekly figures",
        kind=OutboundEmail.Kind.DIGEST,
        to="maya@help.example.com",
        created_at=now - timedelta(minutes=1),
    )
    return failed


def test_manager_filters_the_outbox_by_failed_and_retries_it(page, screenshot, manager, outbox):
    page.goto("/admin/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Outbound emails").click()

    headers = page.locator("#result_list thead th")
    expect(headers.filter(has_text="Status")).to_have_count(1)
    expect(headers.filter(has_text="Last error")).to_have_count(1)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(5)

    def row(text):
        found = rows.filter(has_text=text)
        return found.locator(".field-status_shown"), found.locator(".field-error")

    status, error = row(NO_SUCH_USER)
    expect(status).to_have_text(re.compile(r"^Failed, given up \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"))
    status, error = row(TRY_AGAIN)
    expect(status).to_contain_text("Pending, next try at ")
    # A long answer is cut at 120 characters.
    status, error = row("First response due")
    expect(status).to_contain_text("Pending, next try at ")
    expect(error).to_have_text(DEFERRED[:120])
    status, error = row("Your case links")
    expect(status).to_contain_text("Sent ")
    expect(error).to_have_text("—")
    status, error = row("Weekly figures")
    expect(status).to_have_text("Waiting to be sent")
    expect(error).to_have_text("—")
    # The two new columns are inside the list's box, not past its edge.
    box = page.locator("#changelist-form .results").bounding_box()
    for column in (".column-status_shown", ".column-error"):
        cell = page.locator(f"#result_list thead {column}").bounding_box()
        assert cell["x"] + cell["width"] <= box["x"] + box["width"] + 1, column
    screenshot(page, "01-outbox-with-status-and-last-error")

    page.locator("#changelist-filter").get_by_role("link", name="Failed", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]status=failed"))
    expect(rows).to_have_count(1)
    expect(rows.locator(".field-error")).to_have_text(NO_SUCH_USER)
    screenshot(page, "02-outbox-filtered-by-failed")

    before = timezone.now()
    rows.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option(label="Retry now")
    page.get_by_role("button", name="Go").click()
    # The one message: no warning of mail left as it was.
    expect(page.locator(".messagelist li")).to_have_text(
        ["1 mail will be sent again within seconds, by the relay."]
    )
    after = timezone.now()
    # No longer given up on, it has left the list of failed mail.
    expect(rows).to_have_count(0)
    expect(page.locator("#changelist-form")).to_contain_text("0 outbound emails")
    screenshot(page, "03-retry-now-done")

    outbox.refresh_from_db()
    assert before <= outbox.next_attempt_at <= after
    assert (outbox.failed_at, outbox.failing_since, outbox.sent_at) == (None, None, None)
    [entry] = AuditEntry.objects.filter(action=Action.MAIL_RETRIED)
    assert (entry.actor_id, entry.target_id) == (manager.user_id, str(outbox.pk))
    assert entry.detail.startswith("Retry now, from admin: it was given up on ")
    # The mail not chosen is left as it was.
    assert OutboundEmail.objects.get(last_error=TRY_AGAIN).next_attempt_at > after
