"""Inbound mail that answers a case: threading, reopening, and one message per Message-ID."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from cases import desk, intake
from cases.models import Case, CaseEvent, Channel, Message, Status
from inbox.ingest import ingest
from outbox.models import OutboundEmail
from tests.cases.test_inbound import eml
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom(db):
    return ContactFactory(name="Tom Baker", email="tom.baker@example.org")


@pytest.fixture
def case(agent, tom):
    return intake.case_open(
        contact=tom, subject="My order has not arrived", body="Where is it?", channel=Channel.WEB
    )


def acknowledgement_id(case: Case) -> str:
    return case.outbound_emails.get(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT).message_id_header


def agent_reply(case: Case, agent) -> Message:
    return desk.case_reply(
        case=case, agent=agent, body="The courier found it.", seen_version=case.version
    )


def test_a_reply_to_the_acknowledgement_threads_into_the_case_without_the_quote(case):
    raw = eml(
        "gmail_reply.eml", MESSAGE_ID=acknowledgement_id(case), REFERENCE=case.reference
    ).replace(b"lena.fischer@example.net", b"tom.baker@example.org")

    result = ingest(raw)

    assert result.action == "threaded"
    assert result.case == case
    assert result.message.body == "Thanks, clearing the cookies fixed it!\n\nLena"
    assert result.message.author_contact == case.contact
    assert result.message.message_id == "<CAJx9f2mQ7zR=reply0002@mail.gmail.com>"
    assert Case.objects.count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.CUSTOMER_WROTE).exists()


def test_an_outlook_reply_to_an_agents_answer_threads_into_the_case(case, agent):
    reply = agent_reply(case, agent)

    result = ingest(eml("outlook_reply.eml", MESSAGE_ID=reply.message_id, REFERENCE="HD-999999"))

    assert result.action == "threaded"
    assert result.case == case
    assert result.message.body == (
        "Hi Ana,\n\nThe desk arrived this morning, thank you for chasing the courier.\n\n"
        "Best regards,\nTom"
    )
    case.refresh_from_db()
    assert case.status == Status.OPEN  # it waited on the customer, who answered


def test_references_thread_a_reply_whose_in_reply_to_is_unknown(case):
    raw = (
        eml("gmail_reply.eml", MESSAGE_ID=acknowledgement_id(case), REFERENCE="HD-999999")
        .replace(b"In-Reply-To: <", b"In-Reply-To: <unknown-")
        .replace(b"lena.fischer@example.net", b"tom.baker@example.org")
    )

    assert ingest(raw).case == case


def test_the_reference_in_the_subject_threads_mail_from_the_cases_contact(case):
    raw = eml("outlook_reply.eml", MESSAGE_ID="<lost@elsewhere.example>", REFERENCE=case.reference)

    result = ingest(raw)

    assert result.action == "threaded"
    assert result.case == case


def test_a_stranger_quoting_another_customers_reference_gets_a_case_of_their_own(case):
    result = ingest(eml("stranger_quotes_reference.eml", REFERENCE=case.reference))

    assert result.action == "created"
    assert result.case != case
    assert result.case.contact.email == "eve@elsewhere.example"
    assert case.messages.count() == 1


def test_a_reply_reopens_a_resolved_case_with_its_assignee(case, agent):
    reply = agent_reply(case, agent)
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())

    ingest(eml("outlook_reply.eml", MESSAGE_ID=reply.message_id, REFERENCE=case.reference))

    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.assignee == agent
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()


def test_a_reply_to_a_resolved_case_goes_to_the_backup_while_the_assignee_is_away(
    case, agent, other_agent
):
    reply = agent_reply(case, agent)
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())
    agent.away_until = timezone.now() + timedelta(days=3)
    agent.backup = other_agent
    agent.save()

    ingest(eml("outlook_reply.eml", MESSAGE_ID=reply.message_id, REFERENCE=case.reference))

    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.assignee == other_agent


def test_a_reply_to_a_closed_case_opens_a_follow_up(case, agent):
    reply = agent_reply(case, agent)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=timezone.now())

    result = ingest(eml("outlook_reply.eml", MESSAGE_ID=reply.message_id, REFERENCE="HD-0"))

    assert result.action == "created"
    assert result.case != case
    assert result.case.subject.startswith(f"Follow-up to {case.reference}")
    assert result.message.message_id.startswith("<AM0PR10MB3412F0C9D8E7B6A5@")
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_reply_to_a_merged_case_goes_to_the_case_it_was_merged_into(case, agent, tom):
    target = intake.case_open(
        contact=tom, subject="Desk order", body="Same order.", channel=Channel.WEB
    )
    desk.case_merge(source=case, target=target, actor=agent.user, seen_version=case.version)
    raw = eml("gmail_reply.eml", MESSAGE_ID=acknowledgement_id(case), REFERENCE="HD-0")

    assert ingest(raw.replace(b"lena.fischer@example.net", b"tom.baker@example.org")).case == target


def test_an_agents_answer_to_a_reminder_is_not_filed_as_the_customers(case, agent):
    OutboundEmail.objects.create(
        case=case,
        kind=OutboundEmail.Kind.REMINDER,
        to=agent.user.email,
        subject=f"[{case.reference}] due soon",
        body_text="Due soon.",
        message_id_header="<reminder-1@helpdesk.localhost>",
    )
    raw = eml("gmail_reply.eml", MESSAGE_ID="<reminder-1@helpdesk.localhost>", REFERENCE="HD-0")

    result = ingest(raw.replace(b"lena.fischer@example.net", agent.user.email.encode()))

    assert result.case != case
    assert case.messages.count() == 1


def test_the_same_message_ingested_twice_makes_one_message(agent):
    first = ingest(eml("plain.eml"))
    second = ingest(eml("plain.eml"))

    assert second.action == "duplicate"
    assert second.case == first.case
    assert second.message == first.message
    assert Case.objects.count() == 1
    assert Message.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_a_duplicate_reply_is_filed_once(case):
    raw = eml("gmail_reply.eml", MESSAGE_ID=acknowledgement_id(case), REFERENCE="HD-0").replace(
        b"lena.fischer@example.net", b"tom.baker@example.org"
    )

    actions = [ingest(raw).action, ingest(raw).action]

    assert actions == ["threaded", "duplicate"]
    assert case.messages.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_message_at_the_same_moment_make_one_message(team):
    raw = eml("plain.eml")
    start = threading.Barrier(2)
    actions = []

    def deliver():
        try:
            start.wait()
            actions.append(ingest(raw).action)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert sorted(actions) == ["created", "duplicate"]
    assert Case.objects.count() == 1
    assert Message.objects.count() == 1
