"""The workspace's suggested articles, remembered per subject.

Ranking the knowledge base against a case's subject is a full-text search over every
published article; the workspace asks it on every view of the case, and the answer
changes only when the subject or an article does. The article ids are kept in the cache
under the subject, the contact's language and the articles' version (raised by any
saved or deleted article), for SUGGESTIONS_SECONDS at most; a view then reads just
those articles by id. Without a cache (it failed), the search runs as before.
"""

import hashlib
import logging

from django.core.cache import cache
from django.db.models import Exists, OuterRef

from knowledge.models import Article, ArticleUse

logger = logging.getLogger(__name__)

LIMIT = 5
SUGGESTIONS_SECONDS = 600
VERSION_KEY = "kb-articles-version"
FIELDS = ("title", "slug", "summary", "audience", "status", "language")


def articles_changed() -> None:
    """An article was saved or deleted: every remembered suggestion is out of date."""
    try:
        if not cache.add(VERSION_KEY, 2, timeout=None):
            cache.incr(VERSION_KEY)
    except Exception:
        logger.warning("Could not mark the suggested articles out of date.")


def suggestions_for_case(case) -> list[Article]:
    """Up to five published articles about the case's subject, best first, each marked
    `used_here` if its link already went into a reply on this case."""
    used = ArticleUse.objects.filter(case=case, article=OuterRef("pk"))
    key = _key(case.subject, case.contact.language)
    ids = _remembered(key)
    if ids is None:
        found = list(Article.objects.suggested_for_case(case)[:LIMIT])
        _remember(key, [article.pk for article in found])
        return found
    if not ids:
        return []
    by_id = {
        article.pk: article
        for article in Article.objects.published()
        .filter(pk__in=ids)
        .only(*FIELDS)
        .annotate(used_here=Exists(used))
    }
    return [by_id[pk] for pk in ids if pk in by_id]


def _key(subject: str, language: str) -> str | None:
    try:
        version = cache.get(VERSION_KEY, 1)
    except Exception:
        return None
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"kb-case-suggest:{version}:{language}:{digest}"


def _remembered(key: str | None) -> list[int] | None:
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:
        return None


def _remember(key: str | None, ids: list[int]) -> None:
    if key is None:
        return
    try:
        cache.set(key, ids, timeout=SUGGESTIONS_SECONDS)
    except Exception:
        logger.warning("Could not remember the suggested articles of a subject.")
