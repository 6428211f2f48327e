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


def test_the_second_view_reads_nothing_and_a_case_of_the_same_subject_reads_by_id(case, agent):
    other = CaseFactory(assignee=agent, subject="Refund still missing")

    first = ran(case)
    second = ran(case)
    same_subject = ran(other)

    assert titles(case) == titles(other) == ["How refunds work"]
    assert (len(first), len(second), len(same_subject)) == (1, 0, 1)
    assert "IN (" in same_subject[0] and first[0] != same_subject[0]


def test_a_link_put_into_a_reply_marks_the_remembered_article(case, agent, refund_article):
    [before] = suggestions_for_case(case)
    ArticleUse.objects.create(article=refund_article, case=case, agent=agent)
    [after] = suggestions_for_case(case)
    ArticleUse.objects.filter(case=case).delete()
    [taken_back] = suggestions_for_case(case)

    assert (before.used_here, after.used_here, taken_back.used_here) == (False, True, False)


def test_a_new_subject_is_searched_afresh(case):
    assert titles(case) == ["How refunds work"]

    case.subject = "Cannot reset my password"
    case.save()

    assert titles(case) == ["Reset your password"]


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


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="compares the SQL written for PostgreSQL (to_tsvector, ts_rank) with the ORM's"
    " search there; SQLite has neither and its suggestions come from the ORM alone"
    " (CI runs this on PostgreSQL)",
)
@pytest.mark.parametrize(
    "subject, language",
    [
        ("Refund still missing", "en"),
        ("Remboursement de ma commande", "fr"),
        ("reembolso pedido", "es"),
        ("password refund order invoice", "en"),
        ("xylophone quartz", "en"),  # nothing matches
        ("O'Brien's refund \\ back-slash", "en"),  # a quote and a backslash in the words
    ],
)
def test_postgresqls_written_search_finds_what_the_orms_finds_in_its_order(
    agent, subject, language
):
    for title, article_language in [
        ("How refunds work", "en"),
        ("Refund policy for orders", "en"),
        ("Your order and its invoice", "en"),
        ("Reset your password", "en"),
        ("Remboursement d'une commande", "fr"),
        ("Reembolso de un pedido", "es"),
        ("Password and refund", "fr"),
    ]:
        ArticleFactory(title=title, language=article_language)
    ArticleFactory(title="Refund draft", status=ArticleStatus.DRAFT)
    case = CaseFactory(assignee=agent, subject=subject, contact__language=language)
    used = ArticleFactory(title="Refunds, used here", language="en")
    ArticleUse.objects.create(article=used, case=case, agent=agent)

    written = case_suggestions._searched_on_postgresql(case, 5)
    orm = list(case_suggestions.Article.objects.suggested_for_case(case)[: case_suggestions.LIMIT])

    assert [(a.pk, a.used_here) for a in written] == [(a.pk, a.used_here) for a in orm]
    assert all(article.status == ArticleStatus.PUBLISHED for article in written)
    assert (len(written) > 0) is (subject != "xylophone quartz")
