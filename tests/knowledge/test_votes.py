"""Readers answer "Was this helpful?" once per article, by POST with CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

from knowledge.models import Article, ArticleVote


def vote(client, article, answer):
    return client.post(reverse("knowledge:vote", args=[article.slug]), {"helpful": answer})


def test_a_reader_votes_once_and_is_thanked(client, refund_article):
    first = vote(client, refund_article, "yes")
    second = vote(client, refund_article, "no")

    assert first.status_code == second.status_code == 302
    assert first["Location"] == "/kb/how-refunds-work/#feedback"
    refund_article.refresh_from_db()
    assert (refund_article.helpful_yes, refund_article.helpful_no) == (1, 0)
    assert ArticleVote.objects.count() == 1
    page = client.get(reverse("knowledge:article", args=[refund_article.slug])).content.decode()
    assert "You have already told us" in page
    assert 'id="kb-vote"' not in page


def test_each_visitor_has_their_own_vote(refund_article):
    for answer in ("yes", "yes", "no"):
        vote(Client(), refund_article, answer)

    refund_article.refresh_from_db()
    assert (refund_article.helpful_yes, refund_article.helpful_no) == (2, 1)
    assert refund_article.helpful_ratio == pytest.approx(2 / 3)


def test_the_visitor_id_is_stored_only_as_a_hash(client, refund_article):
    vote(client, refund_article, "yes")

    visitor = client.session["kb_visitor"]
    stored = ArticleVote.objects.get().visitor_hash
    assert visitor not in stored and len(stored) == 64


def test_a_get_never_votes(client, refund_article):
    response = client.get(reverse("knowledge:vote", args=[refund_article.slug]), {"helpful": "yes"})

    assert response.status_code == 405
    assert not ArticleVote.objects.exists()


def test_a_vote_without_the_csrf_token_is_refused(refund_article):
    response = vote(Client(enforce_csrf_checks=True), refund_article, "yes")

    assert response.status_code == 403
    assert not ArticleVote.objects.exists()


def test_a_vote_with_the_csrf_token_counts(refund_article):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("knowledge:article", args=[refund_article.slug]))
    token = page.context["csrf_token"]

    response = browser.post(
        reverse("knowledge:vote", args=[refund_article.slug]),
        {"helpful": "no", "csrfmiddlewaretoken": str(token)},
    )

    assert response.status_code == 302
    assert Article.objects.get().helpful_no == 1


@pytest.mark.parametrize("answer", ["", "maybe", "1' OR 1=1"])
def test_a_vote_that_is_neither_yes_nor_no_counts_nothing(client, refund_article, answer):
    vote(client, refund_article, answer)

    assert not ArticleVote.objects.exists()
    refund_article.refresh_from_db()
    assert refund_article.votes == 0


def test_an_edit_keeps_the_votes(refund_article, agent):
    from knowledge.services import article_save

    vote(Client(), refund_article, "yes")
    refund_article.body = "Changed."  # the instance still says 0 votes
    article_save(article=refund_article, editor=agent.user)

    assert Article.objects.get().helpful_yes == 1


def test_managers_see_votes_and_the_ratio_in_the_admin(client, manager, refund_article):
    for answer in ("yes", "yes", "yes", "no"):
        vote(Client(), refund_article, answer)
    client.force_login(manager.user)

    page = client.get(reverse("admin:knowledge_article_changelist")).content.decode()

    assert "75%" in page
