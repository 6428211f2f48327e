"""The queue's text search on PostgreSQL: a vector the database keeps (cases/search.py).

The search shared by both databases is pinned in test_queue.py; these are the edges of
PostgreSQL's word search (PostgreSQL only), and that a search follows every write of a
case or contact (on both: SQLite reads the text itself).
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases.models import Case
from cases.search import tsquery_text
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db
# Whole words, prefixes and the migration's backfill are the PostgreSQL vector's; SQLite
# looks for the words anywhere in the text (CI runs these on PostgreSQL).
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the kept search vector is PostgreSQL's; SQLite searches the text (CI runs these)",
)


def found(client, query):
    response = client.get(reverse("cases:queue"), {"q": query})
    assert response.status_code == 200
    return sorted(case.subject for case in response.context["page"])


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


@postgresql_only
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("printer", ["Printer on fire"]),  # a whole word
        ("print", []),  # not a part of one
        ("print*", ["Printer on fire"]),  # unless asked for: the start of words
        ("rint*", []),  # never the middle
        ("garc* print*", ["Printer on fire"]),
        ("1234", ["Order A-1234 lost"]),  # punctuation splits words
        ("a-1234", ["Order A-1234 lost"]),
        ("a-123", []),
        ("a-123*", ["Order A-1234 lost"]),
        ("a-1235", []),
        ("maria@acme.example", ["Printer on fire"]),
        ("acme.example", ["Printer on fire"]),
        ("example.acme", []),  # parts in the order typed
        ("garcia printer", ["Printer on fire"]),  # every word, over subject and contact
        ("garcia lost", []),
        ("FIRE", ["Printer on fire"]),
        ("it's", ["It's broken"]),
        ("#42", ["Invoice #42"]),
        ("#", ["Invoice #42"]),  # punctuation alone: looked for in the subject as typed
        ("'", ["It's broken"]),
        ("*", []),
        ("'fire':* | 'lost'", []),  # tsquery syntax is words, not operators
        ("x" * 3000, []),  # longer than PostgreSQL takes as a word
    ],
)
def test_words_match_whole_words_or_their_start_when_asked(desk, query, expected):
    contact = ContactFactory(name="Maria Garcia", email="maria@acme.example")
    CaseFactory(contact=contact, subject="Printer on fire")
    other = ContactFactory(name="Ben Okafor", email="ben@other.example")
    for subject in ("Order A-1234 lost", "It's broken", "Invoice #42"):
        CaseFactory(subject=subject, contact=other)

    assert found(desk, query) == expected


def test_tsquery_text_quotes_each_word():
    assert tsquery_text(["Acme.example", "o'brien*", "it\\s", "#"]) == (
        "'Acme example' & 'o brien':* & 'it s'"
    )
    assert tsquery_text(["x" * 300]) == f"'{'x' * 254}'"


def test_a_renamed_contact_is_found_by_the_new_name_only(desk):
    contact = ContactFactory(name="Maria Garcia", email="maria@acme.example")
    CaseFactory.create_batch(2, contact=contact, subject="Printer on fire")

    contact.name = "Maria Lopez"
    contact.email = "m.lopez@newco.example"
    contact.save()

    assert found(desk, "lopez") == ["Printer on fire"] * 2
    assert found(desk, "newco") == ["Printer on fire"] * 2
    assert found(desk, "garcia") == []
    assert found(desk, "acme") == []


def test_a_case_follows_its_new_subject_and_contact(desk):
    case = CaseFactory(subject="Printer on fire", contact__name="Maria Garcia")
    other = ContactFactory(name="Ben Okafor")

    case.subject = "Scanner jammed"
    case.contact = other
    case.save()

    assert found(desk, "scanner okafor") == ["Scanner jammed"]
    assert found(desk, "printer") == []
    assert found(desk, "garcia") == []


def test_a_queryset_update_of_the_subject_keeps_the_vector(desk):
    case = CaseFactory(subject="Printer on fire")

    Case.objects.filter(pk=case.pk).update(subject="Scanner jammed")

    assert found(desk, "scanner") == ["Scanner jammed"]
    assert found(desk, "printer") == []


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_vector_of_cases_that_were_there_before():
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0012_backlog_index_by_team_priority")])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'cases_case' AND column_name = 'search'"
        )
        assert cursor.fetchone() == (0,)
    state = executor.loader.project_state(("cases", "0012_backlog_index_by_team_priority"))
    contact = state.apps.get_model("contacts", "Contact").objects.create(
        name="Maria Garcia", email="maria@acme.example"
    )
    state.apps.get_model("cases", "Case").objects.create(subject="Printer on fire", contact=contact)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject FROM cases_case"
            " WHERE search @@ to_tsquery('simple', %s) AND search @@ to_tsquery('simple', %s)",
            [tsquery_text(["garcia"]), tsquery_text(["printer"])],
        )
        assert cursor.fetchall() == [("Printer on fire",)]
