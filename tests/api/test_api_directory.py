"""The API's other resources: articles (read; managers write), teams, agents, ratings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiToken
from cases.models import CaseRating
from knowledge.models import Article, ArticleStatus, ArticleVersion, Audience
from tests.factories import AgentFactory, CaseFactory, TeamFactory
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def token(*scopes) -> str:
    made = ApiToken(name="Intranet", scopes=list(scopes))
    key = made.issue()
    made.save()
    return key


def call(client, method, name, key, data=None, *args):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    url = reverse(f"api:{name}", args=args)
    if method == "get":
        return client.get(url, data or {}, **headers)
    return getattr(client, method)(url, data, content_type="application/json", **headers)


@pytest.fixture
def articles():
    return {
        "public": ArticleFactory(title="Reset a password", slug="reset"),
        "internal": ArticleFactory(
            title="Refund rules", slug="refunds", audience=Audience.INTERNAL
        ),
        "draft": ArticleFactory(title="Gift cards", slug="gift-cards", status=ArticleStatus.DRAFT),
    }


def slugs(answer) -> set[str]:
    return {row["slug"] for row in answer.json()["results"]}


def test_a_reader_sees_published_articles_public_and_internal(client, articles):
    answer = call(client, "get", "articles", token("articles:read"))

    assert answer.status_code == 200
    assert slugs(answer) == {"reset", "refunds"}


def test_a_writer_also_sees_drafts(client, articles):
    answer = call(client, "get", "articles", token("articles:read", "articles:write"))

    assert slugs(answer) == {"reset", "refunds", "gift-cards"}


def test_a_reader_cannot_open_a_draft_by_its_slug(client, articles):
    key = token("articles:read")

    assert call(client, "get", "article", key, None, "gift-cards").status_code == 404
    assert call(client, "get", "article", key, None, "reset").json()["body_html"].startswith("<p>")


@pytest.mark.parametrize(
    "params, expected",
    [({"audience": "internal"}, {"refunds"}), ({"audience": "public"}, {"reset"})],
)
def test_articles_filter_by_audience(client, articles, params, expected):
    assert slugs(call(client, "get", "articles", token("articles:read"), params)) == expected


@pytest.mark.parametrize("params", [{"audience": "everyone"}, {"language": "xx"}])
def test_an_unknown_filter_value_is_a_json_error(client, articles, params):
    answer = call(client, "get", "articles", token("articles:read"), params)

    assert answer.status_code == 400
    assert set(params) <= set(answer.json())


def test_a_writer_publishes_an_article_through_the_knowledge_service(client):
    category = ArticleCategoryFactory(slug="billing")
    key = token("articles:write")

    answer = call(
        client,
        "post",
        "articles",
        key,
        {
            "title": "Pay by invoice",
            "slug": "invoice",
            "body": "Ask **us**.<script>alert(1)</script>",
            "category": "billing",
            "status": "published",
        },
    )

    assert answer.status_code == 201, answer.json()
    article = Article.objects.get(slug="invoice")
    assert article.category == category
    assert "<strong>us</strong>" in article.body_html
    assert "<script>" not in article.body_html
    assert article.published_at is not None
    assert article.author.get_full_name() == "Intranet (API)"


def test_an_edit_keeps_the_content_it_replaces(client, articles):
    key = token("articles:write")

    answer = call(client, "patch", "article", key, {"title": "Reset your password"}, "reset")

    assert answer.status_code == 200
    assert answer.json()["title"] == "Reset your password"
    assert ArticleVersion.objects.get().title == "Reset a password"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "X", "slug": "reset", "body": "b", "category": "t"}, "slug"),
        ({"title": "X", "slug": "new", "body": "b", "category": "nowhere"}, "category"),
        ({"title": "", "slug": "new", "body": "b"}, "title"),
        ({"title": "X", "slug": "new one", "body": "b"}, "slug"),
    ],
)
def test_a_bad_article_is_refused_by_field(client, articles, data, field):
    ArticleCategoryFactory(slug="t")
    before = Article.objects.count()

    answer = call(client, "post", "articles", token("articles:write"), data)

    assert answer.status_code == 400
    assert field in answer.json()
    assert Article.objects.count() == before


def test_a_read_token_cannot_write_articles(client, articles):
    answer = call(client, "patch", "article", token("articles:read"), {"title": "X"}, "reset")

    assert answer.status_code == 403


def test_by_session_only_a_manager_writes_articles(client, articles, agent, manager):
    client.force_login(agent.user)
    refused = call(client, "patch", "article", None, {"title": "By an agent"}, "reset")
    client.force_login(manager.user)
    allowed = call(client, "patch", "article", None, {"title": "By a manager"}, "reset")

    assert (refused.status_code, allowed.status_code) == (403, 200)
    assert Article.objects.get(slug="reset").last_editor == manager.user


def test_teams_and_agents_are_listed_with_those_who_left(client):
    team = TeamFactory(name="Billing")
    AgentFactory(team=team, user__first_name="Ana", user__last_name="Silva")
    AgentFactory(team=team, user__first_name="Old", user__last_name="Timer", user__is_active=False)
    AgentFactory(team=None)
    key = token("teams:read", "agents:read")

    teams = call(client, "get", "teams", key).json()["results"]
    agents = call(client, "get", "agents", key, {"team": team.pk}).json()["results"]

    assert [row["name"] for row in teams] == ["Billing"]
    assert [(row["name"], row["active"]) for row in agents] == [
        ("Ana Silva", True),
        ("Old Timer", False),
    ]
    assert call(client, "get", "agents", key, {"team": "x"}).status_code == 400


def test_ratings_newest_first_by_agent(client, agent, other_agent):
    older = CaseRating.objects.create(case=CaseFactory(), agent=agent, score=5, comment="Great")
    CaseRating.objects.create(case=CaseFactory(), agent=other_agent, score=2)
    newer = CaseRating.objects.create(case=CaseFactory(), agent=agent, score=4)
    key = token("ratings:read")

    rows = call(client, "get", "ratings", key, {"agent": agent.pk}).json()["results"]

    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[1]["comment"] == "Great"
    assert rows[1]["case"] == older.case.reference


@pytest.mark.parametrize(
    "name, scope",
    [
        ("teams", "agents:read"),
        ("agents", "teams:read"),
        ("ratings", "cases:read"),
        ("articles", "cases:read"),
    ],
)
def test_each_resource_needs_its_own_scope(client, name, scope):
    assert call(client, "get", name, token(scope)).status_code == 403


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("name", ["agents", "ratings", "articles"])
def test_a_list_runs_the_same_queries_whatever_its_size(client, name, size, agent):
    for _ in range(size):
        if name == "agents":
            AgentFactory()
        elif name == "ratings":
            CaseRating.objects.create(case=CaseFactory(), agent=agent, score=3)
        else:
            ArticleFactory()
    key = token("agents:read", "ratings:read", "articles:read")
    call(client, "get", name, key, {"page_size": 100})

    with CaptureQueriesContext(connection) as queries:
        answer = call(client, "get", name, key, {"page_size": 100})

    assert len(answer.json()["results"]) >= size
    assert len(queries) == 2  # the token, the page


@pytest.mark.parametrize(
    "name, params",
    [
        ("agents", {"team": "²"}),
        ("agents", {"team": "9" * 30}),
        ("ratings", {"agent": "١٢"}),
        ("ratings", {"agent": "-1"}),
    ],
)
def test_an_id_filter_takes_only_plain_digits_that_fit(client, name, params):
    answer = call(client, "get", name, token("agents:read", "ratings:read"), params)

    assert answer.status_code == 400
    assert set(params) == set(answer.json())
