"""Running the desk: an operator reads /healthz, a manager sees admin's warning when beat is
late, and a customer who went back and edited the contact form finds the new text added to
the request the form opened, where the agent reads both."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, Message
from health.models import Heartbeat
from outbox.models import OutboundEmail
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import TeamFactory
from tests.health.helpers import mail_stored_at

FIRST_TEXT = "My parcel for order 4417 has not arrived."
SECOND_TEXT = "Sorry, the order is 4471, not 4417: its parcel has not arrived."
BEAT_LATE = "Beat has sent no heartbeat for 10\xa0minutes."


@pytest.fixture
def team(transactional_db):
    """The default team, so `agent` (Ana Silva) receives the case the form opens."""
    return TeamFactory(name="Customer Care", is_default=True)


def heartbeat(*, minutes_ago: int) -> None:
    """Beat sent its heartbeat, and a worker ran it, `minutes_ago` minutes ago."""
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    Heartbeat.objects.update_or_create(
        pk=Heartbeat.ROW, defaults={"beat_sent_at": moment, "worker_ran_at": moment}
    )


def check_row(page, label: str):
    return page.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=label))


def test_operator_reads_the_health_page_healthy_then_with_beat_late(
    page, screenshot, transactional_db
):
    heartbeat(minutes_ago=0)

    response = page.goto("/healthz")

    assert response.status == 200
    expect(page.get_by_role("heading", name="Health")).to_be_visible()
    expect(page.locator(".alert")).to_have_text("All is well: every check passed.")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(6)
    for label in (
        "Database",
        "Broker",
        "Cache",
        "Mail waiting to be sent",
        "Beat (the scheduler)",
        "Worker",
    ):
        expect(check_row(page, label).locator("td").first).to_have_text("OK")
    expect(check_row(page, "Mail waiting to be sent")).to_contain_text("No mail is waiting.")
    expect(check_row(page, "Beat (the scheduler)")).to_contain_text(
        re.compile(r"Beat sent its heartbeat \d+ seconds? ago\.")
    )
    screenshot(page, "01-healthy")

    # Beat stopped ten minutes ago, so no heartbeat has reached a worker since either.
    heartbeat(minutes_ago=10)

    response = page.goto("/healthz")

    assert response.status == 503
    expect(page.locator(".alert")).to_have_text("Something is wrong: see the checks marked Down.")
    beat = check_row(page, "Beat (the scheduler)")
    expect(beat.locator("td").first).to_have_text("Down")
    expect(beat).to_contain_text(BEAT_LATE)
    expect(beat.locator("td").nth(1)).to_have_text(re.compile(r"^60\d s$"))
    worker = check_row(page, "Worker")
    expect(worker.locator("td").first).to_have_text("Unknown")
    expect(worker).to_contain_text("no heartbeat reaches a worker while beat is late")
    for label in ("Database", "Broker", "Cache", "Mail waiting to be sent"):
        expect(check_row(page, label).locator("td").first).to_have_text("OK")
    screenshot(page, "02-beat-late")
    # The page needed no session, and made none.
    assert page.context.cookies() == []


def test_manager_sees_admins_warning_while_beat_is_late_and_none_once_it_beats(
    page, screenshot, manager
):
    heartbeat(minutes_ago=10)
    page.goto("/admin/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    banner = page.locator("#health-banner")
    expect(banner).to_be_visible()
    warnings = banner.locator("li")
    # Beat is named once; the worker, which has nothing to run without it, is not.
    expect(warnings).to_have_count(2)
    expect(warnings.first).to_have_text(BEAT_LATE)
    expect(warnings.last).to_contain_text("Mail and reminders may not be going out.")
    link = banner.get_by_role("link", name="See the health page")
    expect(link).to_have_attribute("href", "/healthz")
    screenshot(page, "01-admin-index-with-beat-late")

    link.click()
    expect(page).to_have_url(re.compile(r"/healthz$"))
    expect(check_row(page, "Beat (the scheduler)")).to_contain_text(BEAT_LATE)

    # Beat runs again; a mail queued three minutes ago is on its way, not stuck.
    heartbeat(minutes_ago=0)
    mail_stored_at(timezone.now() - timedelta(minutes=3))
    page.goto("/admin/")

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    expect(page.locator("#health-banner")).to_have_count(0)
    expect(page.locator("#content")).not_to_contain_text("Mail and reminders")
    screenshot(page, "02-admin-index-all-well")


def fill_contact_form(page, message: str) -> None:
    page.get_by_label("Your name").fill("Maria Garcia")
    page.get_by_label("Your email").fill("maria@customer.example")
    page.get_by_label("Subject").fill("Parcel not arrived")
    page.get_by_label("How can we help?").fill(message)


def send_go_back_and_send_an_edit(customer, screenshot) -> str:
    """Maria sends the form, goes back in the browser, changes her text and sends it again;
    returns the reference her first post was given."""
    customer.goto("/contact/")
    fill_contact_form(customer, FIRST_TEXT)
    customer.get_by_role("button", name="Send").click()
    expect(customer).to_have_url(re.compile(r"/contact/thanks/HD-\d{6}/$"))
    reference = customer.locator("#case-reference").inner_text()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    screenshot(customer, "01-thanks")

    # A page restored from the back-forward cache fires no load event: wait for the commit.
    customer.go_back(wait_until="commit")
    expect(customer).to_have_url(re.compile(r"/contact/$"))
    message = customer.get_by_label("How can we help?")
    expect(message).to_have_value(FIRST_TEXT)
    message.fill(SECOND_TEXT)
    customer.get_by_role("button", name="Send").click()
    return reference


def expect_the_new_message_added_to(customer, reference: str) -> None:
    expect(customer).to_have_url(
        re.compile(rf"/contact/thanks/{reference}/\?sent=added&earlier={reference}$")
    )
    expect(customer.get_by_role("heading", level=1)).to_have_text(
        "Thank you, we added your new message"
    )
    expect(customer.locator("#sent-note")).to_have_text(
        f"We added your new message to {reference}, the request you sent with this form"
        " a moment ago, rather than opening a second one."
    )
    expect(customer.locator("#case-reference")).to_have_text(reference)


class TestChromiumAsPeopleRunIt:
    """With the back-forward cache, which Chromium keeps on and Playwright turns off: going
    back shows the form as it was, its one-time token with it."""

    @pytest.fixture(scope="class")
    @classmethod
    def browser(cls, browser):
        launched = browser.browser_type.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            ignore_default_args=["--disable-back-forward-cache"],
        )
        yield launched
        launched.close()

    def test_customer_goes_back_edits_the_form_and_the_agent_reads_both_messages(
        self, new_page, screenshot, agent
    ):
        customer = new_page()
        reference = send_go_back_and_send_an_edit(customer, screenshot)

        expect_the_new_message_added_to(customer, reference)
        screenshot(customer, "02-thanks-new-message-added")
        case = Case.objects.get()
        assert case.reference == reference
        assert list(case.messages.order_by("pk").values_list("body", flat=True)) == [
            FIRST_TEXT,
            SECOND_TEXT,
        ]
        assert Message.objects.count() == 2
        # One acknowledgement: the second text went to a request already acknowledged.
        acknowledgements = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT)
        assert acknowledgements.count() == 1

        desk = new_page()
        desk.goto(f"/desk/cases/{reference}/")
        expect(desk).to_have_url(re.compile(r"/accounts/login/\?next="))
        desk.get_by_label("Username").fill("ana")
        desk.get_by_label("Password").fill("secret-password")
        desk.get_by_role("button", name="Log in").click()
        expect(desk).to_have_url(re.compile(rf"/desk/cases/{reference}/$"))
        messages = desk.locator("#timeline [data-kind=message]")
        expect(messages).to_have_count(2)
        expect(messages.first).to_contain_text(FIRST_TEXT)
        expect(messages.first).not_to_contain_text(SECOND_TEXT)
        expect(messages.last).to_contain_text(SECOND_TEXT)
        expect(messages.first).to_contain_text("Maria Garcia")
        expect(messages.last).to_contain_text("Maria Garcia")
        screenshot(desk, "03-workspace-with-both-messages")


def test_without_the_back_forward_cache_the_edit_opens_a_request_of_its_own(
    page, screenshot, agent
):
    """Without the back-forward cache (Playwright turns it off; a browser may drop a page
    from it) going back asks the server for /contact/ again: the typed text is restored
    but the form comes with a new one-time token, so the edited text is a new request.
    Nothing is lost either way: both texts are kept, each on its own case."""
    first = send_go_back_and_send_an_edit(page, screenshot)

    expect(page).to_have_url(re.compile(r"/contact/thanks/HD-\d{6}/$"))
    second = page.locator("#case-reference").inner_text()
    assert second != first
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    screenshot(page, "02-thanks-for-a-second-request")
    bodies = {case.reference: case.messages.get().body for case in Case.objects.all()}
    assert bodies == {first: FIRST_TEXT, second: SECOND_TEXT}
