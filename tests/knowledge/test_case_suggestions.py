"""The workspace's suggestions are remembered per subject and forgotten when articles change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowledge import case_suggestions
from knowledge.case_suggestions import suggestions_for_case
from knowledge.models import ArticleStatus, ArticleUse
from tests.factories import CaseFactory
from tests.knowledge.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def titles(case) -> list[str]:
    return [article.title for article in suggestions_for_case(case)]


def ran(case) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        suggestions_for_case(case)
    return [query["sql"] for query in queries]


@pytest.fixture
def case(agent, refund_article):
    ArticleFactory(title="Reset your password")
    return CaseFactory(assignee=agent, subject="Refund still missing")


def test_the_second_view_reads_the_remembered_articles_by_id(case):
    first = ran(case)
    second = ran(case)

    assert titles(case) == ["How refunds work"]
    assert len(first) == len(second) == 1
    assert "IN (" in second[0] and first[0] != second[0]


def test_a_saved_article_is_suggested_at_the_next_view(case, billing):
    assert titles(case) == ["How refunds work"]

    ArticleFactory(title="Refund delays at Christmas", body="A refund may take longer.")

    assert set(titles(case)) == {"How refunds work", "Refund delays at Christmas"}


def test_an_unpublished_article_stops_being_suggested(case, refund_article):
    assert titles(case) == ["How refunds work"]

    refund_article.status = ArticleStatus.DRAFT
    refund_article.save()

    assert titles(case) == []
    assert ran(case) == []  # nothing to read: no article matches


def test_linked_here_is_each_cases_own_on_a_remembered_answer(case, agent, refund_article):
    other = CaseFactory(assignee=agent, subject="Refund still missing")
    ArticleUse.objects.create(article=refund_article, case=other, agent=agent)
    suggestions_for_case(case)  # remembered from this case

    [here] = suggestions_for_case(case)
    [there] = suggestions_for_case(other)

    assert (here.used_here, there.used_here) == (False, True)


def test_without_a_cache_the_search_runs_every_time(case, monkeypatch):
    class Broken:
        def get(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

        set = add = incr = get

    monkeypatch.setattr(case_suggestions, "cache", Broken())

    assert titles(case) == ["How refunds work"]
    assert titles(case) == ["How refunds work"]
