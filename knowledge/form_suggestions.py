"""The contact form's suggested articles, remembered per text and language.

The contact form asks for suggestions as the customer types (/kb/suggest/), and customers
type the same few words again and again ("refund", "password"). Ranking them is a
full-text search whose cost grows with the knowledge base: every published article
matching a word is ranked (at 100,000 articles, about three times the cost at 10,000).
The ids of the articles shown are kept in the cache under the text and the reader's
language, stamped with the articles' version (raised by any saved or deleted article,
knowledge.case_suggestions.articles_changed), for SECONDS at most. An answer kept reads
just those articles by id, through the same queryset of what the public may see. When
the cache fails, the search runs every time, and the cache is left alone for a while
(helpdesk.lib.ratelimit.cache_breaker).
"""

import hashlib
import logging

from django.core.cache import cache

from helpdesk.lib.ratelimit import cache_breaker
from knowledge import search
from knowledge.case_suggestions import VERSION_KEY
from knowledge.translations import in_reader_language

logger = logging.getLogger(__name__)

# Bounds how long an article changed behind the ORM's back (an update() that sends no
# signal) can go on being suggested, and the memory the public's texts take.
SECONDS = 600
KEY = "kb-form-suggest:1:{}"


def form_suggestions(text: str, *, language: str, shown, limit: int) -> list:
    """Up to `limit` articles of `shown` (the public's) for what the customer typed,
    best first, each once and in the reader's language where it has a version."""
    if not search.words_of(text):
        return []
    key = KEY.format(hashlib.sha256(f"{language[:2]}\n{text}".encode()).hexdigest()[:40])
    found = {}
    if cache_breaker.closed():
        try:
            found = cache.get_many([VERSION_KEY, key])
        except Exception:
            cache_breaker.trip()
            return _ranked(text, language=language, shown=shown, limit=limit)
    version = found.get(VERSION_KEY, 1)
    remembered = found.get(key)
    if remembered is not None and remembered[0] == version:
        return _by_id(remembered[1], shown)
    articles = _ranked(text, language=language, shown=shown, limit=limit)
    if cache_breaker.closed():
        try:
            cache.set(key, (version, [article.pk for article in articles]), SECONDS)
        except Exception:
            cache_breaker.trip()
            logger.warning("Could not keep the contact form's suggestions.")
    return articles


def _ranked(text: str, *, language: str, shown, limit: int) -> list:
    # A few more than shown: an article found in two languages is suggested once.
    found = shown.suggested_for(text, language=language, typing=True)
    return in_reader_language(list(found[: 2 * limit]), language=language, versions=shown)[:limit]


def _by_id(ids: list[int], shown) -> list:
    if not ids:
        return []
    by_id = {article.pk: article for article in shown.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]
