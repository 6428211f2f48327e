"""Knowledge-base factories. Articles are saved through the service, as the admin and desk do."""

import factory
from django.contrib.auth import get_user_model

from knowledge.models import Article, ArticleCategory, ArticleStatus, Audience
from knowledge.services import article_save


def writer():
    """One user writes the factory's articles (hashing a password per article is slow)."""
    user, _ = get_user_model().objects.get_or_create(
        username="writer", defaults={"first_name": "Wendy", "last_name": "Writer"}
    )
    return user


class ArticleCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleCategory

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    body = "Plain words for a plain article."
    category = factory.SubFactory(ArticleCategoryFactory)
    status = ArticleStatus.PUBLISHED
    audience = Audience.PUBLIC
    author = factory.LazyFunction(lambda: writer())

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        author = kwargs.pop("author")
        return article_save(article=model_class(**kwargs), editor=author)
