"""The workspace's timeline is read with three written queries sent together
(cases.timeline.timeline_items): what it builds must be what the ORM builds, with
nothing left to read while the timeline is drawn."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.attachments import attachments_store
from cases.models import CaseEvent, Message
from cases.timeline import timeline_items
from tests.factories import CaseEventFactory, CaseFactory, MessageFactory

pytestmark = pytest.mark.django_db


def same_fields(got, expected):
    for field in type(expected)._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(expected, field.attname), field.name


@pytest.fixture
def busy_case(agent):
    """A customer's message with two files, an agent's note, a system message, an event
    by the agent, one by the desk, and a message kind's event that is not shown."""
    case = CaseFactory(assignee=agent)
    start = timezone.now() - timedelta(hours=1)
    wrote = MessageFactory(case=case, created_at=start)
    attachments_store(
        message=wrote,
        uploads=[SimpleUploadedFile(name, b"text") for name in ("a.txt", "b.txt")],
        content_types=["text/plain", "text/plain"],
    )
    note = MessageFactory(
        case=case,
        author_contact=None,
        author_agent=agent,
        is_internal=True,
        created_at=start + timedelta(minutes=2),
    )
    system = MessageFactory(case=case, author_contact=None, created_at=start + timedelta(minutes=3))
    by_agent = CaseEventFactory(
        case=case, actor=agent.user, created_at=start + timedelta(minutes=1)
    )
    by_desk = CaseEventFactory(case=case, actor=None, created_at=start + timedelta(minutes=3))
    CaseEventFactory(case=case, kind=CaseEvent.Kind.NOTE, created_at=start)
    MessageFactory()  # another case's
    return case, [wrote, by_agent, note, system, by_desk]


def test_the_timeline_holds_what_the_orm_reads_oldest_first(busy_case):
    case, expected = busy_case

    items = timeline_items(case)

    assert [item.pk for _, _, item in items] == [item.pk for item in expected]
    assert [kind for kind, _, _ in items] == ["message", "event", "message", "message", "event"]
    for (_, at, item), made in zip(items, expected, strict=True):
        same_fields(item, type(made).objects.get(pk=made.pk))
        assert at == item.created_at
    # a message and an event at the same minute: the message first (it was made first)
    assert items[3][2].pk == expected[3].pk


def test_authors_actors_and_files_come_with_it(busy_case, agent):
    case, _ = busy_case
    items = timeline_items(case)

    with CaptureQueriesContext(connection) as more:
        wrote, by_agent, note, system, by_desk = [item for _, _, item in items]
        assert wrote.author_name == case.contact.name
        assert [file.name for file in wrote.files] == ["a.txt", "b.txt"]
        assert note.author_name == agent.name and note.files == []
        assert str(system.author_name) == "System"
        assert by_agent.actor == agent.user and by_desk.actor is None
    assert len(more) == 0
    assert wrote.files == list(Message.objects.get(pk=wrote.pk).attachments.order_by("pk"))


def test_the_three_reads_go_together(busy_case):
    case, _ = busy_case

    with CaptureQueriesContext(connection) as read:
        timeline_items(case)

    assert len(read) == (1 if connection.vendor == "postgresql" else 3)


def test_a_case_with_nothing_yet_has_an_empty_timeline():
    assert timeline_items(CaseFactory()) == []
