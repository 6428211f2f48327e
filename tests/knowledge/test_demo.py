from django.core.management import call_command

from knowledge.models import Article, ArticleCategory, ArticleStatus, Audience


def test_seed_demo_loads_the_demo_articles_once(db):
    call_command("seed_demo")
    call_command("seed_demo")

    assert ArticleCategory.objects.count() == 3
    assert Article.objects.count() == 12 + 6
    assert Article.objects.filter(audience=Audience.INTERNAL).count() == 2
    assert Article.objects.filter(status=ArticleStatus.DRAFT).count() == 1 + 1
    assert sorted(
        Article.objects.get(slug="track-your-parcel").translations.values_list(
            "language", flat=True
        )
    ) == ["es", "fr"]
    assert all(article.body_html for article in Article.objects.all())
