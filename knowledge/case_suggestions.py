"""The workspace's suggested articles, remembered per subject and per case.

Ranking the knowledge base against a case's subject is a full-text search over every
published article; the workspace asks it on every view of the case, and the answer
changes only when the subject or an article does. The article ids are kept in the cache
under the subject, the contact's language and the articles' version (raised by any
saved or deleted article), for SUGGESTIONS_SECONDS at most; a case seen for the first
time reads just those articles by id. Each case's answer (the articles, each marked if
its link went into a reply on the case) is kept too, stamped with what it was found
for: the articles' version, the subject, the language and the case's creation (a new
database reuses ids). A view whose stamp matches reads nothing; a link put into a reply
on the case forgets its answer (knowledge.apps). Without a cache (it failed), the
search runs as before.
"""

import functools
import hashlib
import logging

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from helpdesk.lib.kept import kept_drop
from helpdesk.lib.rows import Joined
from knowledge import search
from knowledge.models import Article, ArticleStatus, ArticleUse

logger = logging.getLogger(__name__)

LIMIT = 5
# Bounds the memory only: an article saved or deleted raises the version, which every
# remembered answer is stamped with.
SUGGESTIONS_SECONDS = 24 * 3600
VERSION_KEY = "kb-articles-version"
CASE_KEY = "kb-case-articles:1:{}"
FIELDS = ("title", "slug", "summary", "audience", "status", "language")
SUGGESTION = Joined((Article, "s", set(FIELDS)))  # PostgreSQL's written search reads these


def articles_changed() -> None:
    """An article was saved or deleted: every remembered suggestion is out of date.

    The version is raised now and again once the change is committed: a search run
    between the two saw the articles as they were and kept its answer under the
    version raised first."""
    version_raise()
    transaction.on_commit(version_raise)


def version_raise() -> None:
    try:
        if not cache.add(VERSION_KEY, 2, timeout=None):
            cache.incr(VERSION_KEY)
    except Exception:
        logger.warning("Could not mark the suggested articles out of date.")


def case_suggestions_forget(case_id: int) -> None:
    """A link to an article went into a reply on the case, or was taken back."""
    kept_drop(CASE_KEY.format(case_id))


def suggestions_for_case(case) -> list[Article]:
    """Up to five published articles about the case's subject, best first, each marked
    `used_here` if its link already went into a reply on this case."""
    case_key = CASE_KEY.format(case.pk)
    try:
        found = cache.get_many([VERSION_KEY, case_key])
    except Exception:
        return _suggestions(case, None)
    version = found.get(VERSION_KEY, 1)
    stamp = (version, case.subject, case.contact.language, case.created_at.timestamp())
    remembered = found.get(case_key)
    if remembered is not None and remembered[0] == stamp:
        return remembered[1]
    articles = _suggestions(case, _key(version, case.subject, case.contact.language))
    _remember(case_key, (stamp, articles))
    return articles


def _suggestions(case, key: str | None) -> list[Article]:
    ids = _remembered(key)
    if ids is None:
        if search.is_postgresql():
            found = _searched_on_postgresql(case, LIMIT)
        else:
            found = list(Article.objects.suggested_for_case(case)[:LIMIT])
        _remember(key, [article.pk for article in found])
        return found
    if not ids:
        return []
    used = ArticleUse.objects.filter(case=case, article=OuterRef("pk"))
    by_id = {
        article.pk: article
        for article in Article.objects.published()
        .filter(pk__in=ids)
        .only(*FIELDS)
        .annotate(used_here=Exists(used))
    }
    return [by_id[pk] for pk in ids if pk in by_id]


def _searched_on_postgresql(case, limit: int) -> list[Article]:
    """PostgreSQL's suggestions for a case (as ArticleQuerySet.suggested_for_case):
    published articles whose title has any word of the subject, the contact's language
    first, then by rank; each marked `used_here` if its link went into a reply on the
    case.

    Written as SQL, with the words stemmed once: OR-ing the query of every language
    repeated each word whose stem the languages share, and ranking every match against
    that threefold query took about three times as long (3.2 ms against 1.2 for a
    subject of four words matching 600 of 10,000 articles). The stems of all languages
    are merged (a tsvector keeps each once) and OR-ed into one query.
    """
    words = search.words_of((case.subject or "")[:2000])
    if not words:
        return []
    text = " ".join(words)
    language = (case.contact.language or "")[:2]
    params = [case.pk, language, *[text] * len(search.CONFIGS), ArticleStatus.PUBLISHED, limit]
    with connection.cursor() as cursor:
        cursor.execute(_suggested_sql(), params)
        rows = cursor.fetchall()
    articles = []
    for row in rows:
        (article,), (used_here,) = SUGGESTION.build(row)
        article.used_here = used_here
        articles.append(article)
    return articles


@functools.cache
def _suggested_sql() -> str:
    name = connection.ops.quote_name
    stems = " || ".join(f"to_tsvector('{config}', %s)" for config in search.CONFIGS.values())
    # Each stem as a quoted tsquery lexeme: a quote doubled, a backslash escaped.
    lexeme = "'''' || replace(replace(stem, '\\', '\\\\'), '''', '''''') || ''''"
    # Every match is ranked carrying only its id and sort keys; the five best are read
    # whole after (carrying title, slug and summary through the sort of the 1,700 matches
    # of a four-word subject in the benchmark's knowledge base cost a seventh of the query).
    return (
        f"SELECT {SUGGESTION.columns()},"
        f" EXISTS(SELECT 1 FROM {name(ArticleUse._meta.db_table)} u"
        f" WHERE u.{name('article_id')} = s.{name('id')} AND u.{name('case_id')} = %s)"
        f" FROM (SELECT a.{name('id')}, a.{name('title')},"
        f" ts_rank(a.{name('title_vector')}, q.query) AS rank,"
        f" CASE WHEN a.{name('language')} = %s THEN 0 ELSE 1 END AS theirs"
        f" FROM {name(Article._meta.db_table)} a,"
        f" (SELECT string_agg({lexeme}, ' | ')::tsquery AS query"
        f" FROM unnest(tsvector_to_array({stems})) AS stem) q"
        f" WHERE a.{name('status')} = %s AND a.{name('title_vector')} @@ q.query"
        f" ORDER BY theirs, rank DESC, a.{name('title')} LIMIT %s) r"
        f" JOIN {name(Article._meta.db_table)} s ON s.{name('id')} = r.{name('id')}"
        f" ORDER BY r.theirs, r.rank DESC, r.{name('title')}"
    )


def _key(version: int, subject: str, language: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"kb-case-suggest:{version}:{language}:{digest}"


def _remembered(key: str | None) -> list[int] | None:
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:
        return None


def _remember(key: str | None, value) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, timeout=SUGGESTIONS_SECONDS)
    except Exception:
        logger.warning("Could not remember suggested articles.")
