import pytest
from django.urls import reverse

from cases.models import Status
from tests.factories import (
    AgentFactory,
    CaseFactory,
    ContactFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db


def directory(client, **params):
    response = client.get(reverse("contacts:directory"), params)
    assert response.status_code == 200
    return response


def names(response):
    return [contact.name for contact in response.context["page"]]


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def people(db):
    """Three contacts that differ in every searchable field."""
    acme = OrganizationFactory(name="Acme Rockets")
    return [
        ContactFactory(name="Maria Garcia", email="maria@customer.example", phone="+34 600 111"),
        ContactFactory(
            name="Olu O'Brien", email="olu@acme.example", phone="+44 20 7946", organization=acme
        ),
        ContactFactory(name="Zoe Zhang", email="zoe@zed.example", phone=""),
    ]


def test_directory_lists_everyone_by_name_with_organization_owner_and_open_cases(
    agent_client, agent, people
):
    maria, olu, zoe = people
    maria.owner = agent
    maria.save()
    CaseFactory.create_batch(2, contact=maria, status=Status.OPEN)
    CaseFactory(contact=maria, status=Status.WAITING)
    CaseFactory(contact=maria, status=Status.CLOSED)
    CaseFactory(contact=olu, status=Status.RESOLVED)

    response = directory(agent_client)

    assert names(response) == ["Maria Garcia", "Olu O'Brien", "Zoe Zhang"]
    assert [contact.open_cases for contact in response.context["page"]] == [3, 0, 0]
    page = response.content.decode()
    assert reverse("contacts:detail", args=[maria.pk]) in page
    assert "Acme Rockets" in page
    assert "Ana Silva" in page
    assert "+34 600 111" in page


@pytest.mark.parametrize("query", ["", "   "])
def test_a_blank_query_lists_everyone(agent_client, people, query):
    assert len(names(directory(agent_client, q=query))) == 3


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("garcia", "Maria Garcia"),
        ("ZED.EXAMPLE", "Zoe Zhang"),
        ("600 111", "Maria Garcia"),
        ("rockets", "Olu O'Brien"),
        ("  o'brien ", "Olu O'Brien"),
    ],
)
def test_search_finds_contacts_by_name_email_phone_or_organization(
    agent_client, people, query, found
):
    assert names(directory(agent_client, q=query)) == [found]


def test_search_by_organization_still_counts_open_cases_right(agent_client, people):
    _, olu, _ = people
    CaseFactory.create_batch(2, contact=olu, status=Status.NEW)

    [row] = directory(agent_client, q="Acme").context["page"]

    assert (row.name, row.open_cases) == ("Olu O'Brien", 2)


def test_a_very_long_query_finds_nobody_and_shows_no_error(agent_client, people):
    response = directory(agent_client, q="garcia " * 60)

    assert names(response) == []
    assert "No contact matches" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["%", "_", "\\", "' OR 1=1 --", '"; DROP TABLE contacts_contact; --', "[a-z]*", "\x00"],
)
def test_punctuation_is_searched_for_literally(agent_client, people, query):
    assert names(directory(agent_client, q=query)) == []
    assert len(names(directory(agent_client))) == 3


def test_the_search_term_is_escaped_on_the_page(agent_client, people):
    page = directory(agent_client, q="<script>alert(1)</script>").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_directory_shows_25_a_page_and_keeps_the_query_in_page_links(agent_client):
    for number in range(30):
        ContactFactory(name=f"Client {number:02d}")
    ContactFactory(name="Somebody Else")

    first = directory(agent_client, q="client")
    second = directory(agent_client, q="client", page=2)

    assert names(first) == [f"Client {number:02d}" for number in range(25)]
    assert names(second) == [f"Client {number:02d}" for number in range(25, 30)]
    assert 'href="?q=client&amp;page=2"' in first.content.decode()
    assert 'aria-current="page" href="?q=client&amp;page=2"' in second.content.decode()


def test_a_page_past_the_end_shows_the_last_page(agent_client, people):
    assert names(directory(agent_client, page=99)) == ["Maria Garcia", "Olu O'Brien", "Zoe Zhang"]


@pytest.mark.parametrize("rows", [5, 100])
def test_directory_runs_constant_queries(agent_client, rows, assert_queries):
    organization = OrganizationFactory()
    owners = AgentFactory.create_batch(3)
    for number in range(rows):
        contact = ContactFactory(organization=organization, owner=owners[number % 3])
        CaseFactory(contact=contact, status=Status.OPEN)
    # session with user, agent, team and unread count, count, page of contacts with organization,
    # owner and owner's user, and the open-case count
    with assert_queries(3):
        directory(agent_client)
    with assert_queries(3):
        directory(agent_client, q="customer.example", page=2)
