"""The help centre's pages and the desk's article pages, and what each costs in queries."""

import pytest
from django.test import Client
from django.urls import reverse

from knowledge.models import Article, ArticleUse, ArticleVersion
from tests.factories import CaseFactory
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory


def test_the_home_page_shows_search_categories_most_helpful_and_newest(client, refund_article):
    ArticleFactory(title="Brand new article")
    Article.objects.filter(pk=refund_article.pk).update(helpful_yes=3)

    response = client.get(reverse("knowledge:home"))

    page = response.content.decode()
    assert 'id="kb-search"' in page
    assert len(response.context["categories"]) == 2
    assert [a.title for a in response.context["most_helpful"]] == ["How refunds work"]
    assert [a.title for a in response.context["newest"]][0] == "Brand new article"


def test_an_article_page_has_its_category_related_articles_a_vote_and_a_way_to_write_in(
    client, refund_article, billing
):
    ArticleFactory(title="Refund to a closed card", category=billing)
    ArticleFactory(title="Unrelated article")

    response = client.get(reverse("knowledge:article", args=[refund_article.slug]))

    page = response.content.decode()
    assert 'id="kb-article-category">Billing<' in page
    assert [a.title for a in response.context["related"]] == ["Refund to a closed card"]
    assert 'id="kb-vote"' in page
    assert 'href="/contact/?subject=How%20refunds%20work"' in page


def test_the_contact_us_link_fills_in_the_subject(client, db):
    page = client.get(reverse("cases:contact"), {"subject": "How refunds work"}).content.decode()

    assert 'value="How refunds work"' in page


def test_a_category_page_lists_its_public_articles(client, refund_article, internal_article):
    page = client.get(reverse("knowledge:category", args=["billing"])).content.decode()

    assert "How refunds work" in page and "Refund approvals" not in page
    assert client.get(reverse("knowledge:category", args=["nope"])).status_code == 404


def test_an_agent_writes_an_article_on_the_desk_and_edits_it(client, agent, billing):
    client.force_login(agent.user)
    fields = {
        "title": "Printer offline",
        "slug": "printer-offline",
        "summary": "",
        "category": billing.pk,
        "tags": "printer",
        "language": "en",
        "audience": "internal",
        "status": "published",
        "body": "Restart the **spooler**.",
    }

    created = client.post(reverse("knowledge:desk_new"), fields)
    edited = client.post(
        reverse("knowledge:desk_edit", args=["printer-offline"]), {**fields, "body": "Reboot."}
    )

    assert created["Location"] == edited["Location"] == "/desk/kb/printer-offline/"
    article = Article.objects.get()
    assert (article.author, article.last_editor) == (agent.user, agent.user)
    assert article.body_html == "<p>Reboot.</p>"
    assert ArticleVersion.objects.get().body == "Restart the **spooler**."


def test_the_workspace_suggests_articles_about_the_case(client, agent, refund_article):
    ArticleFactory(title="Reset your password")
    case = CaseFactory(assignee=agent, subject="Refund still missing")
    client.force_login(agent.user)

    response = client.get(reverse("cases:detail", args=[case.reference]))

    assert [a.title for a in response.context["suggested_articles"]] == ["How refunds work"]


def test_inserting_a_link_records_the_use_once_per_case(client, agent, refund_article):
    case = CaseFactory(assignee=agent, subject="Refund still missing")
    client.force_login(agent.user)
    url = reverse("knowledge:desk_use", args=[refund_article.slug, case.reference])

    by_script = client.post(url, HTTP_ACCEPT="application/json")
    without_script = client.post(url, follow=True)

    assert by_script.json() == {
        "title": "How refunds work",
        "link": "https://help.example.com/kb/how-refunds-work/",
    }
    assert "https://help.example.com/kb/how-refunds-work/" in without_script.content.decode()
    use = ArticleUse.objects.get()
    assert (use.case, use.article, use.agent) == (case, refund_article, agent)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert ">linked<" in page


def test_inserting_a_link_is_post_only(client, agent, refund_article):
    case = CaseFactory(assignee=agent)
    client.force_login(agent.user)

    url = reverse("knowledge:desk_use", args=[refund_article.slug, case.reference])

    assert client.get(url).status_code == 405
    assert not ArticleUse.objects.exists()


@pytest.fixture
def many(request, db):
    """`request.param` published articles in three categories, with votes."""
    categories = [ArticleCategoryFactory() for _ in range(3)]
    for n in range(request.param):
        ArticleFactory(title=f"Refund topic {n}", category=categories[n % 3])
    Article.objects.update(helpful_yes=2, helpful_no=1)
    return Article.objects.first()


@pytest.mark.parametrize("many", [3, 40], indirect=True)
def test_the_home_page_runs_constant_queries(client, many, assert_queries):
    # categories with their counts, most helpful, newest (anonymous: no session)
    with assert_queries(3):
        assert client.get(reverse("knowledge:home")).status_code == 200


@pytest.mark.parametrize("many", [3, 40], indirect=True)
def test_the_article_page_runs_constant_queries(client, many, assert_queries):
    visitor = Client()
    visitor.post(reverse("knowledge:vote", args=[many.slug]), {"helpful": "yes"})
    # article with category, session, this visitor's vote, related articles
    with assert_queries(4):
        assert visitor.get(reverse("knowledge:article", args=[many.slug])).status_code == 200


@pytest.mark.parametrize("many", [3, 40], indirect=True)
def test_the_category_page_runs_constant_queries(client, many, assert_queries):
    url = many.category.get_absolute_url()
    # category, count, page of articles with category
    with assert_queries(3):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("many", [3, 40], indirect=True)
def test_the_desk_list_runs_constant_queries(client, agent, many, assert_queries):
    client.force_login(agent.user)
    # session with user, agent, team and unread count, count, page of articles with category
    with assert_queries(3):
        assert client.get(reverse("knowledge:desk_list")).status_code == 200
    with assert_queries(3):
        assert client.get(reverse("knowledge:desk_list"), {"q": "refund"}).status_code == 200


@pytest.mark.parametrize("many", [3, 40], indirect=True)
def test_the_desk_article_page_runs_constant_queries(client, agent, many, assert_queries):
    client.force_login(agent.user)
    # session with user, agent, team and unread count, article with category/author/editor,
    # its other language versions
    with assert_queries(3):
        assert client.get(reverse("knowledge:desk_article", args=[many.slug])).status_code == 200
