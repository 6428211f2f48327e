"""Search finds words in titles and bodies on either database and never fails on odd input."""

import pytest
from django.db import connection
from django.urls import reverse

from knowledge.models import Article
from knowledge.search import highlight
from tests.knowledge.factories import ArticleFactory

# Stemming and the GIN index exist only in PostgreSQL's full-text search; SQLite's
# fallback is tested by the other tests here. CI runs on PostgreSQL, so these run there.
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="stemming and the GIN index exist only on PostgreSQL (CI runs them there)",
)


@pytest.fixture
def shelf(billing):
    return [
        ArticleFactory(
            title="Change your delivery address",
            slug="delivery-address",
            body="Before the parcel ships you can still edit where it goes.",
            category=billing,
        ),
        ArticleFactory(
            title="Payment methods",
            slug="payment-methods",
            body="We take cards and bank transfers. A delivery address is needed for invoices.",
            category=billing,
        ),
        ArticleFactory(
            title="Reset your password",
            slug="reset-password",
            body="Use the link on the login page; it expires after an hour.",
            category=billing,
        ),
    ]


def search(client, query):
    return client.get(reverse("knowledge:search"), {"q": query})


def titles(response):
    return [article.title for article in response.context["page"]]


def test_search_finds_words_in_titles_and_in_bodies(client, shelf):
    assert titles(search(client, "password")) == ["Reset your password"]
    assert titles(search(client, "parcel")) == ["Change your delivery address"]


def test_a_match_in_the_title_ranks_above_a_match_in_the_body(client, shelf):
    assert titles(search(client, "delivery address")) == [
        "Change your delivery address",
        "Payment methods",
    ]


def test_every_word_must_match(client, shelf):
    assert titles(search(client, "password parcel")) == []


def test_results_show_a_highlighted_snippet(client, shelf):
    page = search(client, "parcel").content.decode()

    assert "<mark>parcel</mark>" in page


@postgresql_only
def test_postgresql_finds_other_forms_of_a_word_in_the_articles_language(client, shelf):
    # English stemming: "resetting passwords" finds "Reset your password".
    assert titles(search(client, "resetting passwords")) == ["Reset your password"]


@postgresql_only
def test_postgresql_search_uses_the_gin_index(shelf):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # three rows would not need an index
        plan = Article.objects.search("parcel", language="en").explain()
        cursor.execute("SET enable_seqscan = on")
    assert "article_search_idx" in plan


def test_french_articles_are_found_and_french_readers_see_them_first(client, billing, shelf):
    ArticleFactory(
        title="Changer votre adresse de livraison",
        slug="adresse-livraison",
        body="Avant l'expédition du colis, vous pouvez modifier l'adresse.",
        category=billing,
        language="fr",
    )

    french = client.get(reverse("knowledge:search"), {"q": "adresse"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert titles(french)[0] == "Changer votre adresse de livraison"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!! ??? ... ---",
        "'; DROP TABLE knowledge_article; --",
        "1' OR '1'='1",
        '" OR ""="',
        "password & | ! ( ) : * <-> '",
        "x" * 5000,
        "refund " * 400,
        "nul\x00byte and \x1f control",
        "<script>alert(1)</script>",
        "%_%_\\",
        "-password",
        '"unclosed quote',
    ],
)
def test_odd_queries_get_a_clear_page_never_an_error(client, shelf, query):
    response = search(client, query)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "kb-no-query" in page or "kb-result-count" in page


def test_an_empty_query_asks_for_words(client, shelf):
    page = search(client, "").content.decode()

    assert "Type a few words about your question" in page


def test_a_very_long_query_is_shortened_and_says_so(client, shelf):
    response = search(client, "password " * 100)

    assert len(response.context["q"]) == 200
    assert "first 200 characters" in response.content.decode()


def test_the_snippet_is_escaped_before_it_is_marked():
    marked = highlight('<b onclick="x">amp &amp; parcel</b>', ["parcel", "amp"])

    assert marked == (
        "&lt;b onclick=&quot;x&quot;&gt;<mark>amp</mark> &amp;<mark>amp</mark>; "
        "<mark>parcel</mark>&lt;/b&gt;"
    )


@pytest.mark.parametrize("articles", [3, 40])
def test_search_page_runs_constant_queries(client, billing, articles, assert_queries):
    for n in range(articles):
        ArticleFactory(title=f"Parcel tracking {n}", body="Where is my parcel?", category=billing)
    # count of matches, the page of matches with their category (no session: anonymous)
    with assert_queries(2):
        assert search(client, "parcel").status_code == 200
