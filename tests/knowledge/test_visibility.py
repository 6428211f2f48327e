"""Internal and draft articles never reach customers, by any path; agents read them on the desk."""

import pytest
from django.urls import reverse

from knowledge.models import ArticleUse
from tests.factories import CaseFactory

HIDDEN = ["internal_article", "draft_article"]


@pytest.fixture
def articles(refund_article, internal_article, draft_article):
    return {"public": refund_article, "internal": internal_article, "draft": draft_article}


def test_the_front_page_is_the_help_centre(client, articles):
    page = client.get("/")

    assert page.status_code == 200
    assert "How refunds work" in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        reverse("knowledge:home"),
        reverse("knowledge:category", args=["billing"]),
        reverse("knowledge:search") + "?q=refund",
        reverse("knowledge:suggest") + "?subject=refund+approvals+gift+cards",
        reverse("knowledge:article", args=["how-refunds-work"]),
    ],
)
def test_customer_pages_list_only_public_published_articles(client, articles, url):
    page = client.get(url).content.decode()

    assert "How refunds work" in page
    assert "Refund approvals over 500 euros" not in page
    assert "Refunds for gift cards" not in page


def test_the_categories_count_only_public_published_articles(client, articles):
    page = client.get(reverse("knowledge:home"))

    [billing] = page.context["categories"]
    assert billing.article_count == 1


@pytest.mark.parametrize("hidden", HIDDEN)
def test_guessing_the_slug_of_a_hidden_article_is_404(client, hidden, request):
    article = request.getfixturevalue(hidden)

    assert client.get(reverse("knowledge:article", args=[article.slug])).status_code == 404
    assert (
        client.get(reverse("knowledge:article", args=[article.slug]) + "?from=suggestion")
    ).status_code == 404
    vote = client.post(reverse("knowledge:vote", args=[article.slug]), {"helpful": "yes"})
    assert vote.status_code == 404


@pytest.mark.parametrize("hidden", HIDDEN)
def test_hidden_articles_stay_hidden_from_a_logged_in_agent_on_the_public_pages(
    client, agent, hidden, request
):
    article = request.getfixturevalue(hidden)
    client.force_login(agent.user)

    assert client.get(reverse("knowledge:article", args=[article.slug])).status_code == 404
    assert (
        article.title not in client.get(reverse("knowledge:search") + "?q=refund").content.decode()
    )


def test_agents_read_internal_articles_and_drafts_on_the_desk(client, agent, articles):
    client.force_login(agent.user)

    listing = client.get(reverse("knowledge:desk_list")).content.decode()
    found = client.get(reverse("knowledge:desk_list"), {"q": "refund"}).content.decode()
    internal = client.get(reverse("knowledge:desk_article", args=["refund-approvals"]))

    for title in ("How refunds work", "Refund approvals over 500 euros", "Refunds for gift cards"):
        assert title in listing
    assert "Refund approvals over 500 euros" in found
    assert internal.status_code == 200
    assert "ask a team lead" in internal.content.decode()


def test_the_desk_articles_are_not_for_customers(client, non_agent, articles):
    url = reverse("knowledge:desk_article", args=["refund-approvals"])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(non_agent)
    assert client.get(url).status_code == 403
    assert client.get(reverse("knowledge:desk_list")).status_code == 403


@pytest.mark.parametrize("hidden", HIDDEN)
def test_only_public_articles_can_be_linked_into_a_reply(client, agent, hidden, request):
    article = request.getfixturevalue(hidden)
    case = CaseFactory(assignee=agent)
    client.force_login(agent.user)

    response = client.post(reverse("knowledge:desk_use", args=[article.slug, case.reference]))

    assert response.status_code == 404
    assert not ArticleUse.objects.exists()


def test_the_workspace_shows_internal_articles_without_a_link_to_insert(client, agent, articles):
    case = CaseFactory(assignee=agent, subject="Refund approvals for a large order")
    client.force_login(agent.user)

    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    card = page.split('id="suggested-articles"', 1)[1].split("All articles", 1)[0]

    assert "Refund approvals over 500 euros" in card
    assert "Refunds for gift cards" not in card
    assert card.count("Insert link") == 1
    assert "https://help.example.com/kb/how-refunds-work/" in card
