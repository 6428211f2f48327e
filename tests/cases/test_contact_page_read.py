"""The contact page's three reads are written as SQL and sent together
(cases.contact_history): what they build must be what the ORM would build, and a page
number must be read as Paginator.get_page reads it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.contact_history import contact_history
from cases.models import Case, Status
from contacts.models import Contact, OwnerChange
from helpdesk.lib.rows import Joined, fetch_together, instance_from_db, statement_count
from tests.factories import CaseFactory, ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def same_fields(got, expected):
    for field in type(expected)._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(expected, field.attname), field.name


def test_the_contact_comes_with_organization_owner_and_counts(agent, assert_queries):
    contact = ContactFactory(organization=OrganizationFactory(), owner=agent, phone="+1 555")
    statuses = [Status.NEW, Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED]
    for status in statuses:
        CaseFactory(contact=contact, status=status)
    CaseFactory(status=Status.OPEN)  # someone else's

    with assert_queries(3):  # contact with counts, page of cases, owner changes
        got = contact_history(contact.pk, None).contact
        organization, owner = got.organization, got.owner

    expected = Contact.objects.select_related("organization", "owner").get(pk=contact.pk)
    same_fields(got, expected)
    same_fields(organization, expected.organization)
    same_fields(owner, expected.owner)
    assert got.created_at.tzinfo is not None
    assert (got.case_count, got.open_case_count) == (5, 3)


def test_a_contact_without_organization_owner_or_cases(django_assert_num_queries):
    contact = ContactFactory(organization=None, owner=None)

    read = contact_history(contact.pk, "3")
    got = read.contact
    assert got.organization is None and got.owner is None
    assert (got.case_count, got.open_case_count) == (0, 0)
    assert list(read.page) == [] and read.page.number == 1
    assert read.owner_changes == []


@pytest.mark.parametrize("pk", [0, 2**31, 2**63, 10**30])
def test_a_contact_that_is_not_there_is_none_and_a_404(agent, client, pk):
    ContactFactory()
    client.force_login(agent.user)

    assert contact_history(pk, None) is None
    assert client.get(reverse("contacts:detail", args=[pk])).status_code == 404


def test_a_row_holds_what_the_page_shows_and_reads_the_rest_when_asked(agent):
    contact = ContactFactory()
    case = CaseFactory(contact=contact, assignee=agent, status=Status.WAITING)

    (row,) = contact_history(contact.pk, 1).page

    expected = Case.objects.get(pk=case.pk)
    for name in ("id", "subject", "status", "priority", "assignee_id", "created_at"):
        assert getattr(row, name) == getattr(expected, name), name
    assert row.reference == expected.reference and row.contact_id == contact.pk
    assert row.get_deferred_fields() >= {"channel", "updated_at"}
    assert row.channel == expected.channel  # a deferred field is read on access


@pytest.fixture
def busy():
    """A contact with 60 cases, a day apart: pages of 25, 25 and 10."""
    contact = ContactFactory()
    now = timezone.now()
    cases = [CaseFactory(contact=contact, created_at=now - timedelta(days=n)) for n in range(60)]
    return contact, cases


@pytest.mark.parametrize(
    "asked, number",
    [
        (None, 1),
        ("", 1),
        ("two", 1),
        ("<script>alert(1)</script>", 1),
        ("2.5", 1),
        ("1", 1),
        ("2", 2),
        (3, 3),  # the last, partly full
        ("4", 3),  # past the end: the last
        ("0", 3),  # as Paginator.get_page: below the first is the last, too
        ("-1", 3),
        ("1000000", 3),
        ("1000001", 3),
        ("99999999999999999999", 3),
    ],
)
def test_a_page_number_is_read_as_get_page_reads_it(busy, asked, number):
    contact, cases = busy

    page = contact_history(contact.pk, asked).page

    newest_first = [case.pk for case in cases]  # made newest first
    assert page.number == number
    assert [case.pk for case in page] == newest_first[(number - 1) * 25 : number * 25]
    assert page.paginator.num_pages == 3 and page.paginator.count == 60


def test_cases_made_in_the_same_instant_come_newest_made_first():
    contact = ContactFactory()
    now = timezone.now()
    made = [CaseFactory(contact=contact, created_at=now) for _ in range(3)]

    page = contact_history(contact.pk, 1).page

    assert [case.pk for case in page] == [case.pk for case in reversed(made)]


def test_the_history_comes_newest_first_with_who_changed_it(
    agent, other_agent, django_assert_num_queries
):
    contact = ContactFactory(owner=other_agent)
    first = OwnerChange.objects.create(contact=contact, new_owner=agent, actor=agent.user)
    second = OwnerChange.objects.create(
        contact=contact, previous_owner=agent, new_owner=other_agent, actor=None, reason="Leave"
    )
    OwnerChange.objects.create(contact=ContactFactory(), new_owner=agent)  # someone else's

    history = contact_history(contact.pk, None).owner_changes
    with django_assert_num_queries(0):
        actors = [change.actor for change in history]

    assert [change.pk for change in history] == [second.pk, first.pk]
    same_fields(history[0], OwnerChange.objects.get(pk=second.pk))
    assert actors[0] is None
    same_fields(actors[1], agent.user)


def test_a_part_naming_a_field_the_model_lacks_is_refused():
    with pytest.raises(ValueError, match="Case has no field colour"):
        Joined((Case, "c", {"subject", "colour"})).columns()


def test_the_three_reads_go_together_and_a_page_past_the_end_costs_one_more(busy):
    contact, cases = busy
    round_trips = 1 if connection.vendor == "postgresql" else 3

    with CaptureQueriesContext(connection) as asked:
        contact_history(contact.pk, "2")
    with CaptureQueriesContext(connection) as past:
        contact_history(contact.pk, "9")

    assert len(asked) == round_trips
    assert sum(statement_count(query["sql"]) for query in asked.captured_queries) == 3
    assert len(past) == round_trips + 1


def test_a_batch_gives_each_statements_rows_in_order():
    contact = ContactFactory(name="Maria")
    table = Contact._meta.db_table
    name = connection.ops.quote_name

    first, nothing, last = fetch_together(
        (f"SELECT {name('name')} FROM {name(table)} WHERE {name('id')} = %s", [contact.pk]),
        (f"SELECT {name('name')} FROM {name(table)} WHERE {name('id')} = %s", [-1]),
        ("SELECT %s, %s", ["a", 2]),
    )

    assert first == [("Maria",)] and nothing == [] and last == [("a", 2)]


def test_select_writes_a_statement_once_with_its_names_quoted():
    joined = Joined((Case, "c", {"subject"}), (Contact, "k", {"name"}))
    quote = connection.ops.quote_name

    asked = {
        "where": "c.subject <> %s",
        "extra": "(SELECT COUNT(*) FROM {cases} n WHERE n.contact_id = k.id)",
        "tail": "ORDER BY c.id",
        "tables": {"cases": Case},
    }

    sql = joined.select("k.id = c.contact_id", **asked)

    assert sql.startswith(f"SELECT c.{quote('id')}, c.{quote('subject')}, k.{quote('id')}")
    assert f"FROM {quote('cases_case')} c LEFT JOIN {quote('contacts_contact')} k" in sql
    assert f"ON k.{quote('id')} = c.{quote('contact_id')}" in sql
    assert f"WHERE c.{quote('subject')} <> %s ORDER BY c.{quote('id')}" in sql
    assert f"FROM {quote('cases_case')} n WHERE n.{quote('contact_id')}" in sql
    again = joined.select("k.id = c.contact_id", **asked)
    assert again is sql


def test_select_wants_one_condition_for_each_joined_model():
    joined = Joined((Case, "c"), (Contact, "k"))

    with pytest.raises(ValueError):
        joined.select(where="c.id = %s")


@pytest.mark.parametrize("only", [None, {"subject", "status", "contact"}])
def test_an_instance_made_from_a_row_is_what_from_db_makes(agent, only):
    case = CaseFactory(assignee=agent, subject="Printer on fire")
    fields = [
        f for f in Case._meta.concrete_fields if only is None or f.primary_key or f.name in only
    ]
    names = [f.attname for f in fields]
    values = [getattr(case, name) for name in names]

    made = instance_from_db(Case, names, values)
    expected = Case.from_db("default", names, values)

    assert {k: v for k, v in vars(made).items() if k != "_state"} == {
        k: v for k, v in vars(expected).items() if k != "_state"
    }
    assert made.get_deferred_fields() == expected.get_deferred_fields()
    assert (made._state.adding, made._state.db) == (False, "default")
    assert made.contact.pk == case.contact_id  # a relation is read on access
    made.subject = "Scanner jammed"
    made.save()  # saves what was read, as a deferred instance does
    assert Case.objects.get(pk=case.pk).subject == "Scanner jammed"


def test_a_model_with_an_init_listener_is_made_by_from_db(agent):
    case = CaseFactory()
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(instance)

    signals.post_init.connect(listener, sender=Case)
    try:
        made = instance_from_db(Case, ["id", "subject"], [case.pk, case.subject])
    finally:
        signals.post_init.disconnect(listener, sender=Case)

    assert heard == [made]
