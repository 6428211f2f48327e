"""The queue's search ignores accents and case: on PostgreSQL through the kept vector
(cases_search_words() on both sides), on SQLite through the text (cases/search.py)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from cases.search import cases_matching
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

MIGRATION = ("cases", "0016_search_unaccent")
postgresql = connection.vendor == "postgresql"


def found(client, query):
    response = client.get(reverse("cases:queue"), {"q": query})
    assert response.status_code == 200
    return sorted(case.subject for case in response.context["page"])


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def cases(db):
    CaseFactory(subject="Printer on fire", contact__name="María López")
    CaseFactory(subject="Invoice twice", contact__name="JUAN LÓPEZ")
    CaseFactory(subject="Parcel lost", contact__name="Maria Garcia")
    CaseFactory(subject="Café machine leaks", contact__name="Olu O'Brien")
    CaseFactory(subject="Wrong address: Straße", contact__name="Søren Ærø")
    CaseFactory(
        subject="Login fails", contact__name="Ben Lopes", contact__email="ben@lópez.example"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lopez", ["Invoice twice", "Login fails", "Printer on fire"]),  # and an address
        ("LÓPEZ", ["Invoice twice", "Login fails", "Printer on fire"]),
        ("maría lópez", ["Printer on fire"]),
        ("garcía", ["Parcel lost"]),  # an accented word finds a name without
        ("GARCIA", ["Parcel lost"]),
        ("cafe", ["Café machine leaks"]),  # the subject's words too
        ("CAFÉ machine", ["Café machine leaks"]),
        ("strasse", ["Wrong address: Straße"]),
        ("aero soren", ["Wrong address: Straße"]),
        ("o’brien", ["Café machine leaks"]),  # a phone's apostrophe
        ("lóp*", ["Invoice twice", "Login fails", "Printer on fire"]),
        ("lopes", ["Login fails"]),
        ("gonzález", []),
    ],
)
def test_words_are_found_without_accents_in_any_case(desk, cases, query, expected):
    assert found(desk, query) == expected


def test_part_of_a_word_is_a_word_only_on_sqlite(desk, cases):
    # PostgreSQL matches whole words (a start when asked for); SQLite looks anywhere.
    expected = [] if postgresql else ["Invoice twice", "Login fails", "Printer on fire"]

    assert found(desk, "opez") == expected


def test_the_search_reads_the_vector_on_postgresql_and_the_text_on_sqlite(desk, cases):
    with CaptureQueriesContext(connection) as queries:
        found(desk, "lopez")

    sql = "\n".join(query["sql"] for query in queries)
    reads_vector = """"search" @@ (to_tsquery('simple', '''' || cases_search_words('lopez')"""
    reads_text = 'unaccent("cases_case"."subject")'
    assert (reads_vector in sql, reads_text in sql) == (postgresql, not postgresql)


def test_a_contact_renamed_with_accents_is_found_without_them(desk):
    case = CaseFactory(subject="Printer on fire", contact__name="Zoe Smith")

    case.contact.name = "Zoë Smíth"
    case.contact.save()

    assert found(desk, "zoe smith") == ["Printer on fire"]
    assert found(desk, "ZOË") == ["Printer on fire"]


def test_a_subject_changed_by_a_queryset_update_is_found_without_accents(desk):
    case = CaseFactory(subject="Printer on fire")

    Case.objects.filter(pk=case.pk).update(subject="Écran cassé")

    assert found(desk, "ecran casse") == ["Écran cassé"]


@pytest.mark.django_db(transaction=True)
def test_cases_from_before_the_migration_are_found_without_accents():
    executor = MigrationExecutor(connection)
    [before] = [
        parent
        for parent in executor.loader.graph.node_map[MIGRATION].parents
        if parent.key[0] == "cases"
    ]
    executor.migrate([before.key, ("contacts", "0003_contact_erased_at")])
    state = executor.loader.project_state([before.key, ("contacts", "0003_contact_erased_at")])
    contact = state.apps.get_model("contacts", "Contact").objects.create(
        name="María López", email="maria@acme.example"
    )
    state.apps.get_model("cases", "Case").objects.create(subject="Café on fire", contact=contact)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert [case.subject for case in cases_matching(Case.objects.all(), ["lopez", "cafe"])] == [
        "Café on fire"
    ]
