"""Rows saved together (helpdesk.lib.rows.insert / inserts_together): outside a block at
once, inside one when the block is left, in one round trip on PostgreSQL, each with its
primary key; nothing when the block fails; a unique column still refuses, inside the
transaction."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEvent, FormSubmission
from contacts.models import OwnerChange
from helpdesk.lib.rows import insert, inserts_together, statement_count
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


def event(case, text="Noted"):
    return CaseEvent(case=case, kind=CaseEvent.Kind.STATUS, detail=text)


def test_outside_a_block_a_row_is_saved_at_once_with_its_key():
    case = CaseFactory()
    made = event(case)

    insert(made)

    assert made.pk is not None and not made._state.adding
    assert CaseEvent.objects.get(pk=made.pk).detail == "Noted"


def test_inside_a_block_rows_wait_for_its_end_then_go_in_one_round_trip(agent):
    case = CaseFactory()
    contact = ContactFactory()
    before = CaseEvent.objects.count()
    first, second = event(case, "First"), event(case, "Second")
    change = OwnerChange(contact=contact, new_owner=agent, reason="Received their first case.")

    with CaptureQueriesContext(connection) as sent:
        with inserts_together():
            insert(first, second)
            insert(change)
            assert CaseEvent.objects.count() == before  # one read inside: nothing yet
        sent_at_end = sent.captured_queries[1:]

    assert len(sent_at_end) == (1 if connection.vendor == "postgresql" else 2)
    assert sum(statement_count(query["sql"]) for query in sent_at_end) == 2
    assert [first.pk, second.pk] == list(
        CaseEvent.objects.filter(detail__in=["First", "Second"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert OwnerChange.objects.get(pk=change.pk).contact == contact


def test_a_failure_inside_the_block_sends_nothing():
    case = CaseFactory()
    before = CaseEvent.objects.count()

    with pytest.raises(RuntimeError):
        with inserts_together():
            insert(event(case))
            raise RuntimeError("the case could not be opened")

    assert CaseEvent.objects.count() == before


def test_a_block_inside_another_sends_nothing_itself():
    case = CaseFactory()
    before = CaseEvent.objects.count()

    with inserts_together():
        with inserts_together():
            insert(event(case, "Inner"))
        assert CaseEvent.objects.count() == before
        insert(event(case, "Outer"))

    assert set(CaseEvent.objects.values_list("detail", flat=True)[before:]) == {"Inner", "Outer"}


def test_a_row_takes_the_key_of_what_it_refers_to_saved_after_it_was_made():
    case = Case(subject="Printer", contact=ContactFactory())
    made = event(case)  # before the case has a key
    case.save()

    insert(made)

    assert CaseEvent.objects.get(pk=made.pk).case_id == case.pk


def test_a_row_referring_to_an_unsaved_one_is_refused():
    case = Case(subject="Printer", contact=ContactFactory())

    with pytest.raises(ValueError, match="unsaved Case"):
        insert(event(case))


def test_a_unique_column_refuses_when_the_block_is_left_inside_the_transaction():
    case = CaseFactory()
    message = case.messages.create(body="Hello")
    token = uuid.uuid4()
    insert(FormSubmission(token=token, digest="a" * 64, case=case, message=message))

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            with inserts_together():
                insert(event(case, "Kept only if the block goes through"))
                insert(FormSubmission(token=token, digest="a" * 64, case=case, message=message))

    assert not CaseEvent.objects.filter(detail="Kept only if the block goes through").exists()


def test_instances_of_two_models_in_one_call_are_refused():
    case = CaseFactory()
    message = case.messages.create(body="Hello")

    with pytest.raises(TypeError, match="one model"):
        insert(
            event(case),
            FormSubmission(token=uuid.uuid4(), digest="b" * 64, case=case, message=message),
        )
    assert not CaseEvent.objects.filter(detail="Noted").exists()


def test_a_saved_row_is_refused_rather_than_copied():
    case = CaseFactory()
    made = event(case)
    insert(made)
    count = CaseEvent.objects.count()

    with pytest.raises(ValueError, match="saved already"):
        insert(made)
    assert CaseEvent.objects.count() == count
