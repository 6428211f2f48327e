from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge.search import TRANSLATION_GROUP

# Paths under /kb/ and /desk/kb/ that an article's slug must not hide.
RESERVED_SLUGS = {"search", "suggest", "category", "new"}


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a reserved address; choose another slug."), params={"slug": value}
        )


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (agents only)")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ArticleCategoryQuerySet(models.QuerySet):
    def with_public_counts(self):
        """Categories that have public articles, each with `article_count`."""
        public = Q(articles__status=ArticleStatus.PUBLISHED, articles__audience=Audience.PUBLIC)
        # An article and its translations count once: a reader sees one version of it.
        group = Coalesce("articles__translation_of", "articles")
        return self.annotate(article_count=Count(group, filter=public, distinct=True)).filter(
            article_count__gt=0
        )


class ArticleCategory(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    objects = ArticleCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "article category"
        verbose_name_plural = "article categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("knowledge:category", args=[self.slug])


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)

    def public(self):
        """What customers may see: published public articles, through every path."""
        return self.published().filter(audience=Audience.PUBLIC)

    def for_desk(self, user):
        """What the desk shows: every published article; managers also see drafts."""
        return self if user.is_staff else self.published()

    def for_list(self):
        """The columns a list of articles shows; the bodies stay in the database."""
        return self.select_related("category").only(
            "title",
            "slug",
            "summary",
            "audience",
            "status",
            "language",
            "translation_of",
            "updated_at",
            "published_at",
            "helpful_yes",
            "helpful_no",
            "category__name",
            "category__slug",
        )

    def one_version_each(self, language: str):
        """Of an article and its translations, only the version a reader of `language`
        should see among the public ones: theirs, else the original, else the oldest."""
        preference = Case(
            When(language=language[:2], then=Value(0)),
            When(translation_of__isnull=True, then=Value(1)),
            default=Value(2),
        )
        better = (
            Article.objects.public()
            .annotate(preference=preference)
            .filter(
                Q(pk=OuterRef("translation_group"))
                | Q(translation_of=OuterRef("translation_group"))
            )
            .filter(
                Q(preference__lt=OuterRef("preference"))
                | Q(preference=OuterRef("preference"), pk__lt=OuterRef("pk"))
            )
        )
        return self.annotate(translation_group=TRANSLATION_GROUP, preference=preference).exclude(
            Exists(better)
        )

    def most_helpful_first(self):
        return self.order_by((F("helpful_yes") - F("helpful_no")).desc(), "-helpful_yes", "title")

    def most_helpful(self):
        """Articles readers found helpful, the most helpful first."""
        return self.filter(helpful_yes__gt=F("helpful_no")).most_helpful_first()

    def newest(self):
        return self.order_by(F("published_at").desc(nulls_last=True), "-pk")

    def search(self, query: str, *, language: str, one_version_each: bool = False):
        """Articles matching a search box query, best first, each with a highlighted `snippet`;
        with `one_version_each`, an article and its translation in `language` are one result."""
        from knowledge import search

        return search.articles_matching(
            self, query, language=language, one_version_each=one_version_each
        )

    def suggested_for(self, text: str, *, language: str, typing: bool = False):
        """Articles about any of the words of a text (a subject, a message), best first.

        While `typing`, the last word also matches as the start of a longer word.
        """
        from knowledge import search

        return search.articles_about(self, text, language=language, typing=typing)

    def suggested_for_case(self, case):
        """The workspace's suggestions: published articles about the case's subject, in the
        contact's language first, each marked `used_here` if its link went into a reply."""
        used = ArticleUse.objects.filter(case=case, article=OuterRef("pk"))
        return (
            self.published()
            .only("title", "slug", "summary", "audience", "status", "language")
            .suggested_for(case.subject, language=case.contact.language)
            .annotate(used_here=Exists(used))
        )


class Article(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_slug_not_reserved])
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences shown in lists and results."
    )
    body = models.TextField(help_text="Markdown. HTML is limited to safe tags and links.")
    # Rendered from `body` and sanitised by the saving service; plain text for search.
    body_html = models.TextField(editable=False, default="")
    body_text = models.TextField(editable=False, default="")
    category = models.ForeignKey(ArticleCategory, on_delete=models.PROTECT, related_name="articles")
    tags = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated words that help search find it."
    )
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language it is written in; search stems its words in that language.",
    )
    # Translations point at the original, never at another translation: the original's id
    # names the group, which has at most one version in each language.
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="translations",
        limit_choices_to={"translation_of__isnull": True},
        verbose_name="translation of",
        help_text="The original article, when this one is its translation into another language.",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set by the saving service, so a vote or a counter never looks like an edit.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # PostgreSQL only (empty on SQLite), kept by the saving service. The search box looks
    # at everything (title A, summary and tags B, body C); suggestions, which answer on
    # every keystroke, look only at the title (A), summary and tags (B): a small vector
    # that ranks fast and says what the article is about.
    search_vector = SearchVectorField(null=True, editable=False)
    title_vector = SearchVectorField(null=True, editable=False)
    # Readers' votes and the suggestion counter, kept as counts so lists sort on them.
    helpful_yes = models.PositiveIntegerField(default=0, editable=False)
    helpful_no = models.PositiveIntegerField(default=0, editable=False)
    suggested_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(fields=["title_vector"], name="article_title_search_idx"),
            models.Index(fields=["status", "audience", "category"], name="article_visible_idx"),
            models.Index(fields=["-published_at"], name="article_published_idx"),
        ]
        constraints = [
            # One version per language in a group: the original (whose own id names the
            # group) and each translation (named by the original's id). The cast lets
            # PostgreSQL compare a new article's NULLs when Django validates the constraint.
            models.UniqueConstraint(
                Cast(Coalesce("translation_of", "id"), models.BigIntegerField()),
                "language",
                name="article_one_version_per_language",
                violation_error_message=_("This article already has a version in that language."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:article", args=[self.slug])

    def clean(self):
        """A translation is of an original other than itself, in another language than
        every other version of the original."""
        original = self.translation_of
        if original is None:
            if self.pk is not None:
                taken = self.translations.filter(language=self.language)
                if taken.exists():
                    raise ValidationError(
                        {
                            "language": _(
                                "A translation of this article is already in that language."
                            )
                        }
                    )
            return
        if self.pk is not None and original.pk == self.pk:
            raise ValidationError(
                {"translation_of": _("An article cannot be a translation of itself.")}
            )
        if original.translation_of_id is not None:
            raise ValidationError(
                {"translation_of": _("Choose the original article, not one of its translations.")}
            )
        if self.pk is not None and self.translations.exists():
            raise ValidationError(
                {
                    "translation_of": _(
                        "This article has translations of its own, so it stays an original."
                    )
                }
            )
        if original.language == self.language:
            raise ValidationError(
                {"language": _("A translation is written in another language than its original.")}
            )
        sibling = Article.objects.filter(translation_of=original, language=self.language)
        if sibling.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"language": _("This article already has a version in that language.")}
            )

    @property
    def translation_group_id(self) -> int | None:
        """The original's id, which its translations share."""
        return self.translation_of_id or self.pk

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.audience == Audience.PUBLIC

    @property
    def public_link(self) -> str:
        """The link a customer can follow: from SITE_URL, like links in mail."""
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def votes(self) -> int:
        return self.helpful_yes + self.helpful_no

    @property
    def helpful_ratio(self) -> float | None:
        """Share of "yes" votes, or None before anyone voted."""
        return self.helpful_yes / self.votes if self.votes else None


class ArticleVersion(models.Model):
    """An article's content as it was before an edit. Never deleted; restoring makes a new one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    # Who wrote this content and when it was saved.
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()
    # When an edit replaced it.
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        indexes = [models.Index(fields=["article", "-replaced_at"], name="article_version_idx")]

    def __str__(self):
        return f"{self.title} ({self.saved_at:%Y-%m-%d %H:%M})"


class ArticleVote(models.Model):
    """A reader's "Was this helpful?" answer: one per article per visitor."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_votes")
    visitor_hash = models.CharField(max_length=64)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor_hash"], name="article_vote_once")
        ]

    def __str__(self):
        return f"{'yes' if self.helpful else 'no'} on {self.article_id}"


# How long after opening a suggested article a contact form from the same browser still
# counts as "the article did not help". After that an open with no case is a deflection.
DEFLECTION_WINDOW = timedelta(hours=24)
# A contact form left open longer than this reports its suggestions to no one.
PAGE_VIEW_MAX_AGE = timedelta(hours=24)


class SuggestionDay(models.Model):
    """How many suggestions the contact form showed on a day (each article once per page
    view), for the reports' figures of a period; Article.suggested_count is all time."""

    day = models.DateField(unique=True)
    suggested = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.suggested} suggested"


class SuggestionOpenQuerySet(models.QuerySet):
    def deflected(self, now=None):
        """Opens not followed by a case within the window: the visitor found their answer."""
        cutoff = (now or timezone.now()) - DEFLECTION_WINDOW
        return self.filter(case__isnull=True, opened_at__lt=cutoff)


class SuggestionOpen(models.Model):
    """A visitor followed a suggested article from the contact form."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_opens")
    visitor_hash = models.CharField(max_length=64)
    opened_at = models.DateTimeField(default=timezone.now)
    # The case the same visitor submitted afterwards: this open was not a deflection.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SuggestionOpenQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor_hash"], name="suggestion_open_once")
        ]
        indexes = [
            models.Index(fields=["visitor_hash", "opened_at"], name="suggestion_open_visitor_idx"),
            # The reports' self-service figures for a period.
            models.Index(fields=["opened_at"], name="suggestion_open_day_idx"),
            models.Index(
                fields=["article", "opened_at"],
                condition=Q(case__isnull=True),
                name="suggestion_open_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.article_id} opened {self.opened_at:%Y-%m-%d %H:%M}"


class ArticleUse(models.Model):
    """An agent put an article's link into a reply on a case."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="uses")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="article_uses")
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["article", "case"], name="article_use_once_per_case")
        ]

    def __str__(self):
        return f"{self.article_id} used on {self.case_id}"
