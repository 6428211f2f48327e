"""The queue counts only as far as it must: a thousand cases, or up to the page asked for."""

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Case, Status
from helpdesk.lib import paging
from helpdesk.lib.paging import BoundedPaginator
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(agent):
    CaseFactory.create_batch(12, assignee=agent, team=agent.team, status=Status.OPEN)
    return Case.objects.order_by("pk")


def test_at_the_bound_the_count_is_exact(cases):
    paginator = BoundedPaginator(cases, 2, bound=12)

    assert (paginator.count, paginator.more, paginator.num_pages) == (12, False, 6)


def test_past_the_bound_it_says_more_and_stops_counting(cases):
    paginator = BoundedPaginator(cases, 2, bound=11)

    assert (paginator.count, paginator.more) == (12, True)
    assert paginator.page(6).has_next() is False  # the pages counted so far


def test_a_deeper_page_counts_as_far_as_the_page_after_it(cases):
    paginator = BoundedPaginator(cases, 2, page="4", bound=3)

    assert paginator.bound == 10
    assert (paginator.more, paginator.page(4).has_next()) == (True, True)


@pytest.mark.parametrize("page", ["x", "-3", None, "0"])
def test_a_page_that_is_no_number_counts_to_the_bound(cases, page):
    assert BoundedPaginator(cases, 2, page=page, bound=5).bound == 5


def test_the_queue_says_more_than_the_bound_and_pages_on(client, agent, monkeypatch):
    monkeypatch.setattr(paging, "BOUND", 50)
    CaseFactory.create_batch(52, assignee=agent, team=agent.team, status=Status.OPEN)
    client.force_login(agent.user)

    first = client.get(reverse("cases:queue")).content.decode()
    third = client.get(reverse("cases:queue"), {"page": 3}).content.decode()

    assert "More than 50 cases" in first
    assert "52 cases" in third  # counting on to the page asked for finds the end


def test_a_search_counts_only_to_the_page_after_this_one(client, agent):
    CaseFactory.create_batch(
        52, assignee=agent, team=agent.team, status=Status.OPEN, subject="Refund please"
    )
    client.force_login(agent.user)

    first = client.get(reverse("cases:queue"), {"q": "refund", "status": "open"})
    last = client.get(reverse("cases:queue"), {"q": "refund", "status": "open", "page": 3})

    assert "More than 50 cases" in first.content.decode()
    assert "52 cases" in last.content.decode()


def test_a_search_counts_in_the_order_it_pages_and_a_filter_without(client, agent):
    CaseFactory.create_batch(3, assignee=agent, team=agent.team, status=Status.OPEN)
    client.force_login(agent.user)
    counts = []

    def keep(execute, sql, *args):
        if sql.startswith("SELECT COUNT(*)"):
            counts.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(keep):
        client.get(reverse("cases:queue"), {"q": "refund", "status": "open"})
        client.get(reverse("cases:queue"), {"status": "open"})

    searched, filtered = counts
    # A search's matches are found as its page finds them: in due order (cases.search).
    assert '"cases_case"."due_at" ASC NULLS LAST' in searched
    assert "ORDER BY" not in filtered


@pytest.mark.parametrize("page", [str(10**30), "99999999999999999999", "1" * 400])
def test_a_page_number_past_any_database_limit_shows_the_last_page(client, agent, page):
    CaseFactory.create_batch(3, assignee=agent, team=agent.team, status=Status.OPEN)
    client.force_login(agent.user)

    response = client.get(reverse("cases:queue"), {"page": page})

    assert response.status_code == 200
    assert "3 cases" in response.content.decode()
