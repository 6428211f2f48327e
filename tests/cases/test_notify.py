"""Agents are told what changed on their cases: a customer's message, a case assigned
or escalated to them, a colleague's note that mentions them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import customer, desk
from cases.models import Case, Channel, Notification
from outbox.models import OutboundEmail
from tests.factories import AgentFactory, CaseFactory, ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team, subject="Printer on fire")
    MessageFactory(case=case, body="My printer is on fire.")
    return case


def told(agent, kind):
    return Notification.objects.filter(agent=agent, kind=kind)


def test_the_assignee_is_told_when_the_customer_writes(case, agent):
    customer.case_customer_reply(
        case=case, contact=case.contact, body="It is smoking again!", channel=Channel.EMAIL
    )

    [note] = told(agent, Notification.Kind.CUSTOMER_WROTE)
    assert (note.case, note.detail) == (case, "It is smoking again!")


def test_an_agent_is_told_when_a_colleague_assigns_them_a_case_but_not_when_they_claim(
    case, agent, other_agent
):
    desk.case_update(
        case=case,
        actor=agent.user,
        seen_version=case.version,
        status=case.status,
        priority=case.priority,
        category=None,
        assignee=other_agent,
    )
    unassigned = CaseFactory(team=agent.team)
    desk.case_claim(case=unassigned, agent=agent)

    assert told(other_agent, Notification.Kind.ASSIGNED).get().case == case
    assert not told(agent, Notification.Kind.ASSIGNED).exists()


def test_the_team_lead_is_told_of_an_escalation(case, agent, team):
    lead = AgentFactory(team=team, user__username="lena")
    team.lead = lead
    team.save()

    desk.case_escalate(
        case=case, actor=agent.user, seen_version=case.version, reason="Refund over 500 euros."
    )

    note = told(lead, Notification.Kind.ESCALATED).get()
    assert note.detail == "Refund over 500 euros."


def test_a_note_that_mentions_a_colleague_tells_them_and_nobody_else(case, agent, other_agent):
    desk.case_note(
        case=case,
        agent=agent,
        body="@ben can you check the warranty? (mail me at ana@example.org, not @ana)",
        seen_version=case.version,
    )

    assert told(other_agent, Notification.Kind.MENTIONED).get().case == case
    # An address is not a mention, and nobody is told of what they did themselves.
    assert not told(agent, Notification.Kind.MENTIONED).exists()


def test_an_unseen_customer_reply_marks_the_row_until_the_case_is_opened(client, case, agent):
    customer.case_customer_reply(
        case=case, contact=case.contact, body="Any news?", channel=Channel.WEB
    )
    client.force_login(agent.user)

    before = client.get(reverse("cases:queue")).content.decode()
    client.get(reverse("cases:detail", args=[case.reference]))
    after = client.get(reverse("cases:queue")).content.decode()

    assert "New reply" in before
    assert "New reply" not in after
    assert not told(agent, Notification.Kind.CUSTOMER_WROTE).filter(read_at__isnull=True)


def test_opening_a_case_with_nothing_unread_writes_nothing(client, case, agent, other_agent):
    # other_agent's unread notification is not agent's: agent has none to mark read.
    Notification.objects.create(agent=other_agent, case=case, kind=Notification.Kind.MENTIONED)
    client.force_login(agent.user)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("cases:detail", args=[case.reference]))

    assert not [q for q in queries if q["sql"].startswith('UPDATE "cases_notification"')]
    assert told(other_agent, Notification.Kind.MENTIONED).get().read_at is None


def test_opening_a_case_marks_its_notice_read_and_leaves_another_cases(client, case, agent):
    other = CaseFactory(contact=case.contact, assignee=agent)
    for each in (case, other):
        Notification.objects.create(agent=agent, case=each, kind=Notification.Kind.MENTIONED)
    client.force_login(agent.user)

    client.get(reverse("cases:detail", args=[case.reference]))

    unread = told(agent, Notification.Kind.MENTIONED).filter(read_at__isnull=True)
    assert [n.case for n in unread] == [other]


def test_the_notifications_page_lists_every_kind(client, case, agent):
    customer.case_customer_reply(
        case=case, contact=case.contact, body="Any news?", channel=Channel.WEB
    )
    client.force_login(agent.user)

    page = client.get(reverse("cases:notifications")).content.decode()

    assert "Customer wrote" in page and case.reference in page and "Any news?" in page
    assert Case.objects.count() == 1


def test_an_agent_who_asked_for_it_is_also_told_by_mail(case, agent, other_agent, mailoutbox):
    other_agent.notify_by_mail = True
    other_agent.languages = "fr"
    other_agent.save()

    desk.case_note(
        case=case, agent=agent, body="@ben the customer called again.", seen_version=case.version
    )
    desk.case_note(
        case=Case.objects.get(pk=case.pk),
        agent=agent,
        body="Nothing for anyone here.",
        seen_version=Case.objects.get(pk=case.pk).version,
    )

    [mail] = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.NOTIFICATION)
    assert mail.to == other_agent.user.email
    assert mail.subject.startswith(f"[{case.reference}] ")
    assert "the customer called again" in mail.body_text
    assert f"https://help.example.com/desk/cases/{case.reference}/" in mail.body_text


def test_an_agent_who_did_not_ask_gets_no_mail(case, agent, other_agent):
    desk.case_note(
        case=case, agent=agent, body="@ben the customer called again.", seen_version=case.version
    )

    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.NOTIFICATION).exists()


def badge(page) -> str | None:
    found = re.search(r'id="notification-count">(\d+)<', page.content.decode())
    return found.group(1) if found else None


def test_the_badge_counts_what_is_unread_after_the_page_has_marked_some_read(
    client, case, agent, other_agent
):
    customer.case_customer_reply(
        case=case, contact=case.contact, body="Any news?", channel=Channel.WEB
    )
    other = CaseFactory(assignee=agent, team=agent.team)
    customer.case_customer_reply(
        case=other, contact=other.contact, body="Hello?", channel=Channel.WEB
    )
    client.force_login(agent.user)
    assert badge(client.get(reverse("cases:queue"))) == "2"

    opened = client.get(reverse("cases:detail", args=[case.reference]))

    assert badge(opened) == "1"  # this case's message is read as the page opens
    assert badge(client.get(reverse("cases:notifications"))) is None
    assert badge(client.get(reverse("cases:queue"))) is None


def test_a_signed_in_user_without_a_desk_profile_is_refused_the_desk(client, non_agent):
    client.force_login(non_agent)

    assert client.get(reverse("cases:queue")).status_code == 403
