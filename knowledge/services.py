"""Every write to the knowledge base: saving and restoring articles, votes, deflection, uses."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from knowledge import search
from knowledge.models import (
    DEFLECTION_WINDOW,
    PAGE_VIEW_MAX_AGE,
    Article,
    ArticleStatus,
    ArticleUse,
    ArticleVersion,
    ArticleVote,
    SuggestionDay,
    SuggestionOpen,
)
from knowledge.rendering import plain_text, render_markdown

CONTENT_FIELDS = ("title", "summary", "body")


@transaction.atomic
def article_save(*, article: Article, editor) -> Article:
    """Save an article as edited (new or changed), keeping the content it replaces.

    Renders and sanitises the body, stamps the editor and time, and refreshes the
    search vector. The admin, the desk form, restore and the demo data all save here.
    """
    now = timezone.now()
    if article.pk is None:
        article.author = editor
        article.created_at = now
    else:
        stored = Article.objects.select_for_update().get(pk=article.pk)
        if any(getattr(stored, name) != getattr(article, name) for name in CONTENT_FIELDS):
            ArticleVersion.objects.create(
                article=stored,
                title=stored.title,
                summary=stored.summary,
                body=stored.body,
                editor_id=stored.last_editor_id,
                saved_at=stored.updated_at,
                replaced_at=now,
            )
        # Counters move while an editor works; the stored values are the true ones.
        article.helpful_yes, article.helpful_no = stored.helpful_yes, stored.helpful_no
        article.suggested_count = stored.suggested_count
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    article.last_editor = editor
    article.updated_at = now
    article.body_html = render_markdown(article.body)
    article.body_text = plain_text(article.body_html)
    if article.translation_of_id is not None:
        # Translations of one original are saved one at a time, so two of them can never
        # both pass the check that each language is still free.
        Article.objects.select_for_update().filter(pk=article.translation_of_id).exists()
    article.full_clean(exclude=["author", "last_editor", "search_vector"])
    article.save()
    search.index_article(article)
    return article


@transaction.atomic
def article_restore(*, version: ArticleVersion, editor) -> Article:
    """Bring back an earlier version's content as a new edit; the history keeps everything."""
    article = Article.objects.select_for_update().get(pk=version.article_id)
    article.title, article.summary, article.body = version.title, version.summary, version.body
    return article_save(article=article, editor=editor)


@transaction.atomic
def article_vote(*, article: Article, visitor: str, helpful: bool) -> bool:
    """Count a reader's answer to "Was this helpful?"; False if this visitor already voted."""
    if not article.is_public:
        raise ValidationError("Only published public articles take votes.")
    try:
        with transaction.atomic():
            ArticleVote.objects.create(article=article, visitor_hash=visitor, helpful=helpful)
    except IntegrityError:
        return False
    counter = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return True


def articles_suggested(*, view: str, article_ids: list[int]) -> int:
    """Count that one page view of the contact form showed these articles as suggestions,
    each once however often that page view reports it. Returns how many were counted."""
    new = []
    remember_for = int(PAGE_VIEW_MAX_AGE.total_seconds())
    for article_id in dict.fromkeys(article_ids):
        try:
            # The cache remembers what each page view already counted, as long as it is valid.
            if cache.add(f"kb-suggested:{view}:{article_id}", 1, timeout=remember_for):
                new.append(article_id)
        except Exception:
            # Without the cache nothing can be counted once; a figure is not worth an error.
            return 0
    if not new:
        return 0
    counted = (
        Article.objects.public().filter(pk__in=new).update(suggested_count=F("suggested_count") + 1)
    )
    if counted:
        # Per day too, for the reports' self-service figures of a period.
        today = timezone.localdate()
        if not SuggestionDay.objects.filter(day=today).update(suggested=F("suggested") + counted):
            try:
                with transaction.atomic():
                    SuggestionDay.objects.create(day=today, suggested=counted)
            except IntegrityError:  # another request made today's row a moment ago
                SuggestionDay.objects.filter(day=today).update(suggested=F("suggested") + counted)
    return counted


@transaction.atomic
def suggestion_open(*, article: Article, visitor: str) -> bool:
    """Record that a visitor followed a suggestion; once per visitor and article."""
    if not article.is_public:
        return False
    try:
        with transaction.atomic():
            SuggestionOpen.objects.create(article=article, visitor_hash=visitor)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def suggestion_opens_followed(*, visitor: str, case) -> int:
    """The visitor submitted a case after all: their recent opens were not deflections."""
    since = timezone.now() - DEFLECTION_WINDOW
    return SuggestionOpen.objects.filter(
        visitor_hash=visitor, case__isnull=True, opened_at__gte=since
    ).update(case=case)


@transaction.atomic
def article_use(*, article: Article, case, agent) -> ArticleUse:
    """An agent put the article's public link into a reply on this case."""
    if not article.is_public:
        raise ValidationError("Only published public articles can be linked for a customer.")
    use, _ = ArticleUse.objects.get_or_create(article=article, case=case, defaults={"agent": agent})
    return use
