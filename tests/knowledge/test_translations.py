"""Articles linked as translations: the reader's language version, its links, its rules."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from knowledge.models import Article, ArticleStatus, Audience
from knowledge.services import article_save
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory, writer

FRENCH = {"headers": {"accept-language": "fr"}}
SPANISH = {"headers": {"accept-language": "es"}}


def translate(original, language, slug, title, **fields):
    return ArticleFactory(
        translation_of=original,
        language=language,
        slug=slug,
        title=title,
        category=original.category,
        **fields,
    )


@pytest.fixture
def orders(db):
    return ArticleCategoryFactory(name="Orders", slug="orders")


@pytest.fixture
def parcel(orders):
    """Track your parcel, in English, French and Spanish."""
    original = ArticleFactory(
        title="Track your parcel",
        slug="track-parcel",
        summary="Where your order is.",
        tags="parcel, tracking",
        category=orders,
    )
    translate(original, "fr", "suivre-colis", "Suivre votre colis", tags="colis, suivi")
    translate(original, "es", "seguir-paquete", "Seguir su paquete", tags="paquete")
    return original


def article_url(slug):
    return reverse("knowledge:article", args=[slug])


# The article page.


def test_a_french_visitor_is_shown_the_french_version(client, parcel):
    response = client.get(article_url("track-parcel"), **FRENCH)

    assert response.status_code == 302 and response.url == article_url("suivre-colis")
    page = client.get(response.url, **FRENCH)
    assert page.context["article"].title == "Suivre votre colis"


def test_a_spanish_visitor_following_a_french_link_is_shown_the_spanish_version(client, parcel):
    response = client.get(article_url("suivre-colis"), **SPANISH)

    assert response.url == article_url("seguir-paquete")


def test_the_page_links_to_the_other_languages_it_exists_in(client, parcel):
    response = client.get(article_url("track-parcel"))

    assert [version.slug for version in response.context["other_languages"]] == [
        "suivre-colis",
        "seguir-paquete",
    ]
    page = response.content.decode()
    assert 'href="/kb/suivre-colis/?lang=fr" hreflang="fr" lang="fr"' in page
    assert ">Français</a>" in page and ">Español</a>" in page
    assert 'id="kb-not-translated"' not in page


def test_a_language_chosen_from_the_links_is_shown_whatever_the_visitor_language(client, parcel):
    response = client.get(article_url("suivre-colis"), {"lang": "fr"})

    assert response.status_code == 200
    assert response.context["article"].slug == "suivre-colis"
    assert [v.language for v in response.context["other_languages"]] == ["en", "es"]


def test_without_a_version_in_the_visitor_language_the_article_is_shown_as_it_is(client, orders):
    original = ArticleFactory(title="Returns", slug="returns", category=orders)
    translate(original, "fr", "retours", "Retours")

    response = client.get(article_url("returns"), **SPANISH)

    assert response.status_code == 200 and response.context["article"] == original
    assert 'id="kb-not-translated"' in response.content.decode()


def test_drafts_and_internal_versions_are_never_shown_nor_linked(client, orders):
    original = ArticleFactory(title="Returns", slug="returns", category=orders)
    translate(original, "fr", "retours", "Retours", status=ArticleStatus.DRAFT)
    translate(original, "es", "devoluciones", "Devoluciones", audience=Audience.INTERNAL)

    for language in ("fr", "es"):
        response = client.get(article_url("returns"), headers={"accept-language": language})
        assert response.status_code == 200 and response.context["article"] == original
        assert response.context["other_languages"] == []
        assert "retours" not in response.content.decode()
        assert "devoluciones" not in response.content.decode()
    assert client.get(article_url("retours"), {"lang": "fr"}).status_code == 404
    assert client.get(article_url("devoluciones"), {"lang": "es"}).status_code == 404


def test_a_public_translation_of_a_draft_original_stands_alone(client, orders):
    original = ArticleFactory(
        title="Gift cards", slug="gift-cards", category=orders, status=ArticleStatus.DRAFT
    )
    translate(original, "fr", "cartes-cadeaux", "Cartes cadeaux")

    response = client.get(article_url("cartes-cadeaux"))

    assert response.status_code == 200 and response.context["other_languages"] == []
    assert "gift-cards" not in response.content.decode()
    assert client.get(article_url("gift-cards"), **FRENCH).status_code == 404


def test_related_articles_leave_out_the_article_own_translations(client, parcel, orders):
    other = ArticleFactory(title="Change the address", slug="change-address", category=orders)
    translate(other, "fr", "changer-adresse", "Changer l'adresse")

    response = client.get(article_url("suivre-colis"), **FRENCH)

    assert [article.slug for article in response.context["related"]] == ["changer-adresse"]


# Lists, search and suggestions.


def test_lists_show_each_article_once_in_the_reader_language(client, parcel, orders):
    ArticleFactory(title="Lost parcel", slug="lost-parcel", category=orders)

    french = client.get(reverse("knowledge:category", args=["orders"]), **FRENCH)
    english = client.get(reverse("knowledge:category", args=["orders"]))
    home = client.get(reverse("knowledge:home"), **SPANISH)

    assert [a.slug for a in french.context["page"]] == ["lost-parcel", "suivre-colis"]
    assert [a.slug for a in english.context["page"]] == ["lost-parcel", "track-parcel"]
    assert {a.slug for a in home.context["newest"]} == {"lost-parcel", "seguir-paquete"}
    assert [category.article_count for category in home.context["categories"]] == [2]


def test_search_finds_an_article_once_in_the_reader_language(client, parcel):
    english_words = client.get(reverse("knowledge:search"), {"q": "tracking"}, **SPANISH)

    # "Plain words" is in every version's body: one result all the same.
    every = client.get(reverse("knowledge:search"), {"q": "plain words"}, **FRENCH)
    assert [a.slug for a in every.context["page"]] == ["suivre-colis"]
    assert every.context["page"].paginator.count == 1
    assert [a.slug for a in english_words.context["page"]] == ["seguir-paquete"]


def test_suggestions_prefer_the_reader_language(client, parcel):
    response = client.get(reverse("knowledge:suggest"), {"subject": "track my parcel"}, **FRENCH)

    assert [article.slug for article in response.context["articles"]] == ["suivre-colis"]


def test_suggestions_fall_back_to_the_language_an_article_exists_in(client, orders):
    ArticleFactory(title="Track your parcel", slug="track-parcel", category=orders)

    response = client.get(reverse("knowledge:suggest"), {"subject": "parcel"}, **FRENCH)

    assert [article.slug for article in response.context["articles"]] == ["track-parcel"]


# The rules of a translation.


# The desk.


def test_the_desk_article_page_links_every_other_version_drafts_included(client, agent, parcel):
    Article.objects.filter(slug="seguir-paquete").update(status=ArticleStatus.DRAFT)
    client.force_login(agent.user)

    html = client.get(reverse("knowledge:desk_article", args=["suivre-colis"])).content.decode()
    listed = html.split('id="kb-translations">')[1].split("</ul>")[0]

    assert 'href="/desk/kb/track-parcel/" lang="en">Track your parcel</a>' in listed
    assert (
        'href="/desk/kb/seguir-paquete/" lang="es">Seguir su paquete</a> '
        '<span class="text-secondary">(Spanish, Draft)</span>'
    ) in listed
    assert "suivre-colis" not in listed  # not itself


def test_the_desk_article_page_says_when_there_is_no_other_version(client, agent, orders):
    alone = ArticleFactory(title="Gift cards", slug="gift-cards", category=orders)
    client.force_login(agent.user)

    html = client.get(reverse("knowledge:desk_article", args=[alone.slug])).content.decode()

    assert "None yet." in html.split('id="kb-translations">')[1].split("</ul>")[0]


def test_the_desk_list_marks_each_version_with_its_language(client, agent, parcel):
    client.force_login(agent.user)

    html = client.get(reverse("knowledge:desk_list")).content.decode()

    for slug, code in [("track-parcel", "EN"), ("suivre-colis", "FR"), ("seguir-paquete", "ES")]:
        item = html.split(f'data-article="{slug}">')[1].split("</li>")[0]
        assert f">{code}</span>" in item


def test_a_group_has_one_version_per_language(parcel):
    with pytest.raises(ValidationError) as error:
        translate(parcel, "fr", "suivre-colis-2", "Suivre votre colis, encore")

    assert "language" in error.value.message_dict


def test_a_translation_is_in_another_language_than_its_original(parcel):
    with pytest.raises(ValidationError) as error:
        translate(parcel, "en", "track-parcel-2", "Track your parcel again")

    assert "language" in error.value.message_dict


def test_an_original_cannot_take_the_language_of_one_of_its_translations(parcel):
    parcel.language = "fr"

    with pytest.raises(ValidationError) as error:
        article_save(article=parcel, editor=writer())

    assert "language" in error.value.message_dict


def test_an_article_cannot_be_a_translation_of_itself(parcel, orders):
    lone = ArticleFactory(title="Returns", slug="returns", category=orders)
    lone.translation_of = lone

    with pytest.raises(ValidationError) as error:
        article_save(article=lone, editor=writer())

    assert "translation_of" in error.value.message_dict


def test_a_translation_points_at_the_original_not_at_another_translation(parcel):
    french = Article.objects.get(slug="suivre-colis")

    with pytest.raises(ValidationError) as error:
        translate(french, "es", "seguir-paquete-2", "Seguir su paquete")

    assert "translation_of" in error.value.message_dict


def test_an_original_with_translations_cannot_become_a_translation(parcel, orders):
    other = ArticleFactory(title="Retours", slug="retours", category=orders, language="fr")
    parcel.translation_of = other

    with pytest.raises(ValidationError) as error:
        article_save(article=parcel, editor=writer())

    assert "translation_of" in error.value.message_dict


def test_the_database_refuses_a_second_version_in_a_language(parcel):
    # Past the service's checks (a race, a raw write): the unique index still holds.
    twin = Article(
        title="Suivre", slug="suivre-2", body="x", category=parcel.category, language="fr"
    )
    twin.translation_of, twin.author, twin.last_editor = parcel, writer(), writer()

    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_an_original_with_translations_is_protected_from_deletion(parcel):
    with pytest.raises(ProtectedError):
        parcel.delete()


# Admin.


def test_the_admin_shows_an_original_translations_and_a_way_to_add_one(client, manager, parcel):
    client.force_login(manager.user)

    page = client.get(reverse("admin:knowledge_article_change", args=[parcel.pk])).content.decode()

    assert "Suivre votre colis" in page and "Seguir su paquete" in page
    assert f"translation_of={parcel.pk}" in page


def test_the_admin_refuses_a_second_translation_into_a_language(client, manager, parcel):
    client.force_login(manager.user)
    form = {
        "title": "Suivre encore",
        "slug": "suivre-encore",
        "summary": "",
        "category": parcel.category_id,
        "tags": "",
        "language": "fr",
        "translation_of": parcel.pk,
        "audience": "public",
        "status": "published",
        "body": "Encore.",
        **{
            f"{prefix}-{name}": "0"
            for prefix in ("translations", "versions")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")
        },
    }

    response = client.post(reverse("admin:knowledge_article_add"), form)

    assert response.status_code == 200
    assert "already has a version in that language" in response.content.decode()
    assert not Article.objects.filter(slug="suivre-encore").exists()


# What the article page and the suggestions cost.


def translated_shelf(size, orders):
    for n in range(size):
        original = ArticleFactory(title=f"Parcel question {n}", slug=f"parcel-{n}", category=orders)
        translate(original, "fr", f"colis-{n}", f"Question colis {n}")
        translate(original, "es", f"paquete-{n}", f"Pregunta paquete {n}")


@pytest.mark.parametrize("size", [3, 30])
def test_the_article_page_in_the_reader_language_runs_constant_queries(
    client, assert_queries, orders, size
):
    translated_shelf(size, orders)
    # the article with its public versions and their category, five related articles
    # in the reader's language (an anonymous first-time reader has no session)
    with assert_queries(2):
        response = client.get(article_url("colis-0"), **FRENCH)
    assert len(response.context["other_languages"]) == 2
    assert len(response.context["related"]) == min(size - 1, 5)


@pytest.mark.parametrize("size", [3, 30])
def test_suggestions_in_the_reader_language_run_constant_queries(
    client, assert_queries, orders, size
):
    translated_shelf(size, orders)
    # the suggestions, then the reader's versions of those found in another language
    with assert_queries(2):
        response = client.get(reverse("knowledge:suggest"), {"subject": "parcel"}, **SPANISH)
    assert {a.language for a in response.context["articles"]} == {"es"}
    assert len(response.context["articles"]) == min(size, 5)
