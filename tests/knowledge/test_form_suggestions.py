"""The contact form's suggestions, kept per text and language until an article changes."""

import pytest
from django.urls import reverse

from helpdesk.lib.ratelimit import cache_breaker
from knowledge import form_suggestions
from knowledge.models import Article, ArticleQuerySet, ArticleStatus
from tests.knowledge.factories import ArticleFactory

FRENCH = {"headers": {"accept-language": "fr"}}


def suggest(client, subject, **extra):
    response = client.get(reverse("knowledge:suggest"), {"subject": subject}, **extra)
    assert response.status_code == 200
    return [article.slug for article in response.context["articles"]]


@pytest.fixture
def searches(monkeypatch):
    """The texts the knowledge base was searched for, in order."""
    asked = []
    search = ArticleQuerySet.suggested_for

    def counted(self, text, **kwargs):
        asked.append(text)
        return search(self, text, **kwargs)

    monkeypatch.setattr(ArticleQuerySet, "suggested_for", counted)
    return asked


def test_a_text_asked_again_reads_the_kept_articles_by_id(
    client, assert_queries, refund_article, searches
):
    first = suggest(client, "Where is my refund")

    with assert_queries(1):
        again = suggest(client, "Where is my refund")

    assert first == again == ["how-refunds-work"]
    assert searches == ["Where is my refund"]


def test_another_text_is_searched(client, refund_article, searches):
    suggest(client, "Where is my refund")
    suggest(client, "Where is my refund ")
    suggest(client, "my refu")

    assert searches == ["Where is my refund", "Where is my refund ", "my refu"]


def test_a_text_that_found_nothing_is_kept_too(client, assert_queries, refund_article, searches):
    assert suggest(client, "printer toner") == []

    with assert_queries(0):
        assert suggest(client, "printer toner") == []
    assert searches == ["printer toner"]


def test_an_article_saved_is_suggested_at_once(client, refund_article, billing, searches):
    assert suggest(client, "refund") == ["how-refunds-work"]
    ArticleFactory(title="Refund of a gift card", slug="gift-card-refund", category=billing)

    assert set(suggest(client, "refund")) == {"gift-card-refund", "how-refunds-work"}
    assert len(searches) == 2


def test_an_article_unpublished_or_deleted_is_no_longer_suggested(client, refund_article, billing):
    other = ArticleFactory(title="Refund of a gift card", slug="gift-card-refund", category=billing)
    assert set(suggest(client, "refund")) == {"gift-card-refund", "how-refunds-work"}

    refund_article.status = ArticleStatus.DRAFT
    refund_article.save()
    assert suggest(client, "refund") == ["gift-card-refund"]

    other.delete()
    assert suggest(client, "refund") == []


def test_a_kept_answer_still_shows_only_what_the_public_may_see(client, refund_article):
    assert suggest(client, "refund") == ["how-refunds-work"]
    # Behind the ORM's back: no signal raises the articles' version.
    Article.objects.filter(pk=refund_article.pk).update(status=ArticleStatus.DRAFT)

    assert suggest(client, "refund") == []


def test_each_reader_language_has_its_own_answer(client, refund_article, billing):
    ArticleFactory(
        translation_of=refund_article,
        language="fr",
        title="Comment marche un refund",
        slug="comment-marche-refund",
        category=billing,
    )

    assert suggest(client, "refund") == ["how-refunds-work"]
    assert suggest(client, "refund", **FRENCH) == ["comment-marche-refund"]
    assert suggest(client, "refund") == ["how-refunds-work"]


def test_suggestions_are_shown_while_the_cache_is_down(client, refund_article, monkeypatch):
    calls = []

    class Down:
        def get_many(self, *args, **kwargs):
            calls.append("get_many")
            raise ConnectionError("Redis is down")

        def set(self, *args, **kwargs):
            calls.append("set")
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(form_suggestions, "cache", Down())

    assert suggest(client, "Where is my refund") == ["how-refunds-work"]
    # The cache failed once: it is left alone for a while.
    assert not cache_breaker.closed()
    assert suggest(client, "Where is my refund") == ["how-refunds-work"]
    assert calls == ["get_many"]


def test_a_failing_write_to_the_cache_loses_no_suggestion(client, refund_article, monkeypatch):
    class Full:
        def get_many(self, *args, **kwargs):
            return {}

        def set(self, *args, **kwargs):
            raise ConnectionError("OOM command not allowed")

    monkeypatch.setattr(form_suggestions, "cache", Full())

    assert suggest(client, "Where is my refund") == ["how-refunds-work"]
    assert not cache_breaker.closed()


@pytest.mark.parametrize(
    "query",
    [
        "subject=%3Cscript%3Ealert(1)%3C/script%3E%20refund",
        "subject=%ED%A0%80refund",  # not UTF-8
        "subject=" + "refund%20" * 2000,  # cut to 200 characters by the view
    ],
)
def test_odd_text_is_answered_alike_when_kept(client, refund_article, searches, query):
    url = reverse("knowledge:suggest") + "?" + query
    first, again = client.get(url), client.get(url)

    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert b"<script>" not in again.content
    assert [article.slug for article in again.context["articles"]] == ["how-refunds-work"]
    assert len(searches) == 1
