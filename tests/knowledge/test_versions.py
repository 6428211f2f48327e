"""Every edit keeps the content it replaced; a manager reads the history and restores a version."""

import pytest
from django.urls import reverse

from knowledge.models import Article, ArticleVersion
from knowledge.services import article_restore, article_save
from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    return UserFactory(username="ed", first_name="Ed")


def edit(article, editor, **changes):
    for name, value in changes.items():
        setattr(article, name, value)
    return article_save(article=article, editor=editor)


def test_an_edit_keeps_the_previous_content_and_who_wrote_it(refund_article, editor):
    original_author = refund_article.last_editor

    edit(refund_article, editor, body="Refunds now take **three** days.")

    [version] = ArticleVersion.objects.all()
    assert version.body.startswith("A refund reaches your card within five")
    assert version.editor == original_author
    refund_article.refresh_from_db()
    assert refund_article.last_editor == editor
    assert refund_article.author == original_author
    assert "<strong>three</strong>" in refund_article.body_html


def test_a_save_that_changes_no_content_adds_no_version(refund_article, editor):
    edit(refund_article, editor, tags="refund, cancellation")

    assert not ArticleVersion.objects.exists()


def test_restoring_brings_back_old_content_as_a_new_edit_and_keeps_all_history(
    refund_article, editor
):
    edit(refund_article, editor, title="Refunds, the new way", body="Second text.")
    edit(refund_article, editor, body="Third text.")
    first = ArticleVersion.objects.order_by("replaced_at", "pk").first()

    article_restore(version=first, editor=editor)

    article = Article.objects.get()
    assert article.title == "How refunds work"
    assert article.body.startswith("A refund reaches your card")
    assert "five working days" in article.body_text
    assert ArticleVersion.objects.count() == 3
    assert ArticleVersion.objects.first().body == "Third text."


def test_the_admin_shows_the_history_and_restores_a_version(client, manager, refund_article):
    client.force_login(manager.user)
    edit(refund_article, manager.user, body="Second text.")
    version = ArticleVersion.objects.get()

    change = client.get(reverse("admin:knowledge_article_change", args=[refund_article.pk]))
    restore_url = reverse("admin:knowledge_article_restore", args=[refund_article.pk, version.pk])
    confirm = client.get(restore_url)
    done = client.post(restore_url)

    assert restore_url in change.content.decode()
    assert "five working days" in confirm.content.decode()
    assert done.status_code == 302
    assert Article.objects.get().body.startswith("A refund reaches your card")
    assert ArticleVersion.objects.count() == 2


def test_a_get_of_the_restore_page_changes_nothing(client, manager, refund_article):
    client.force_login(manager.user)
    edit(refund_article, manager.user, body="Second text.")
    version = ArticleVersion.objects.get()

    client.get(reverse("admin:knowledge_article_restore", args=[refund_article.pk, version.pk]))

    assert Article.objects.get().body == "Second text."


def test_saving_in_the_admin_goes_through_the_service(client, manager, billing):
    client.force_login(manager.user)
    form = {
        "title": "Opening hours",
        "slug": "opening-hours",
        "summary": "",
        "category": billing.pk,
        "tags": "",
        "language": "en",
        "audience": "public",
        "status": "published",
        "body": "We are open **9 to 5**. <script>alert(1)</script>",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "translations-MIN_NUM_FORMS": "0",
        "translations-MAX_NUM_FORMS": "1000",
    }

    added = client.post(reverse("admin:knowledge_article_add"), form)
    article = Article.objects.get(slug="opening-hours")
    changed = client.post(
        reverse("admin:knowledge_article_change", args=[article.pk]),
        {**form, "body": "We are open 8 to 6."},
    )

    assert added.status_code == changed.status_code == 302
    article.refresh_from_db()
    assert article.author == article.last_editor == manager.user
    assert article.published_at is not None
    assert article.body_html == "<p>We are open 8 to 6.</p>"
    [version] = ArticleVersion.objects.all()
    assert "<script>" in version.body  # the history keeps what was typed; pages show it cleaned


def test_managers_restore_only_with_permission(client, agent, refund_article):
    edit(refund_article, agent.user, body="Second text.")
    version = ArticleVersion.objects.get()
    client.force_login(agent.user)  # an agent without admin access

    url = reverse("admin:knowledge_article_restore", args=[refund_article.pk, version.pk])

    assert client.post(url).status_code == 302  # to the admin login
    assert Article.objects.get().body == "Second text."


@pytest.mark.parametrize("slug", ["search", "suggest", "category", "new"])
def test_an_article_cannot_take_a_reserved_address(client, manager, billing, slug):
    client.force_login(manager.user)

    client.post(
        reverse("knowledge:desk_new"),
        {
            "title": "Tricky",
            "slug": slug,
            "category": billing.pk,
            "language": "en",
            "audience": "public",
            "status": "published",
            "body": "x",
        },
    )

    assert not Article.objects.filter(slug=slug).exists()
