"""Finding articles: PostgreSQL full-text search, and a simpler fallback on SQLite.

On PostgreSQL each article's `search_vector` is built by the saving service in its
own language's text search configuration (title weighted A, summary and tags B,
body C) and kept in a GIN index. A query is parsed with the configuration of every
language the desk writes in, OR-ed together, so it finds an article whatever
language that article is written in; articles in the reader's language (the
visitor's, or on the desk the contact's) come first, then by rank.

On SQLite, suggestions come from an FTS5 index of title, summary and tags (made by
a migration, kept in step by triggers), ranked by bm25 with the title weighted most
and common words (stop words) left out; the search box requires every word to
appear somewhere in the title, summary, tags or body (case-insensitive), articles
with the words in their title first.

Snippets are highlighted by wrapping the matched words in <mark>: the text is
escaped first and only then marked, so nothing an author wrote becomes markup.
"""

import operator
import re
import sqlite3
from functools import lru_cache, reduce

from django.contrib.postgres.search import (
    SearchConfig,
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Text search configurations PostgreSQL ships for the desk's languages.
CONFIGS = {"en": "english", "fr": "french", "es": "spanish"}
FALLBACK_CONFIG = "simple"
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
WORD = re.compile(r"\w+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# ts_headline marks matches with these; they are turned into <mark> after escaping.
MARK_START, MARK_STOP = "\x02", "\x03"
SNIPPET_CHARS = 220


# The group an article and its translations share: the original's id (a translation
# names its original; an original, itself). One version per language in a group
# (knowledge.models.Article.Meta.constraints).
TRANSLATION_GROUP = Coalesce("translation_of", "pk")


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def config_for(language: str) -> str:
    return CONFIGS.get((language or "")[:2].lower(), FALLBACK_CONFIG)


def clean_query(text: str) -> str:
    """A search box query without control characters, at most MAX_QUERY_LENGTH long."""
    return " ".join(CONTROL.sub(" ", text or "").split())[:MAX_QUERY_LENGTH]


def words_of(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The distinct words of a text, lower-case, in order; letters and digits only."""
    found: list[str] = []
    for word in WORD.findall((text or "").lower()):
        word = word.strip("_")
        if len(word) >= 2 and word not in found:
            found.append(word)
            if len(found) == limit:
                break
    return found


def _article_config():
    """Each article's own configuration, from its language."""
    whens = [When(language=code, then=Value(config)) for code, config in CONFIGS.items()]
    return SearchConfig(Case(*whens, default=Value(FALLBACK_CONFIG)))


def _every_config(text: str, search_type: str) -> SearchQuery:
    queries = [
        SearchQuery(text, config=config, search_type=search_type) for config in CONFIGS.values()
    ]
    return reduce(operator.or_, queries)


def _reader_first(language: str):
    return Case(When(language=language[:2], then=Value(0)), default=Value(1))


def _one_version_each(matches, queryset, match: Q, language: str):
    """The matches less those whose version in the reader's language matches as well.

    That is: in another language, and in a translation group among the groups of the
    matches in the reader's language (one version per language in a group), which
    PostgreSQL reads once (a hashed subplan). Asking, for each match, whether a version
    of it matched took a correlated query per match and grew with the matches: the help
    centre's search at 100,000 articles took three times as long as at 10,000."""
    theirs = queryset.filter(match, language=language[:2]).values(group=TRANSLATION_GROUP)
    return matches.annotate(version_group=TRANSLATION_GROUP).exclude(
        ~Q(language=language[:2]) & Q(version_group__in=theirs)
    )


def articles_matching(queryset, query: str, *, language: str, one_version_each: bool = False):
    """The search box: every word must match (websearch syntax on PostgreSQL).

    With `one_version_each`, a match is left out when its version in the reader's
    language matches too, so an article and its translation are one result.
    """
    query = clean_query(query)
    words = words_of(query)
    if not words:
        return queryset.none()
    if is_postgresql():
        search = _every_config(query, "websearch")
        match = Q(search_vector=search)
    else:
        match = reduce(operator.and_, (_contains(word) for word in words))
    matches = queryset.filter(match)
    if one_version_each:
        matches = _one_version_each(matches, queryset, match, language)
    if is_postgresql():
        return matches.annotate(
            rank=SearchRank(F("search_vector"), search),
            headline=SearchHeadline(
                "body_text",
                search,
                config=_article_config(),
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        ).order_by(_reader_first(language), "-rank", "title")
    return matches.annotate(rank=_title_hits(words), headline=F("body_text")).order_by(
        _reader_first(language), "-rank", "title"
    )


def articles_about(queryset, text: str, *, language: str, typing: bool = False):
    """Suggestions: articles whose title, summary or tags have any of the words of a
    subject or message, best first.

    While the customer is typing, the last word also matches as a prefix ("refu" finds
    "refund") on PostgreSQL; the SQLite fallback matches parts of words anyway.
    """
    text = (text or "")[:2000]
    words = words_of(text)
    if not words:
        return queryset.none()
    typing = typing and not text[-1].isspace() and len(words[-1]) >= 3
    if is_postgresql():
        terms = [*words[:-1], f"{words[-1]}:*" if typing else words[-1]]
        search = _every_config(" | ".join(terms), "raw")
        return (
            queryset.filter(title_vector=search)
            .annotate(rank=SearchRank(F("title_vector"), search))
            .order_by(_reader_first(language), "-rank", "title")
        )
    if connection.vendor == "sqlite" and fts5_available():
        return (
            queryset.annotate(rank=_fts_rank(words))
            .filter(rank__isnull=False)
            .order_by(_reader_first(language), "-rank", "title")
        )
    return (
        queryset.filter(reduce(operator.or_, (_contains(word, body=False) for word in words)))
        .annotate(rank=_title_hits(words))
        .order_by(_reader_first(language), "-rank", "title")
    )


# Words too common to say what an article is about, in the desk's languages.
STOP_WORDS = set(
    """a an and are at be by can do for from have how i in is it me my not of on or our so
    that the this to was we what when where why with you your
    au aux ce de des du en est et je la le les ma mais me mes mon ne nous ou pas pour que qui
    sur un une vous votre
    al con del el en es los las mi mis no para por que se su sus un una y yo""".split()
)


@lru_cache(maxsize=1)
def fts5_available() -> bool:
    """Whether this Python's SQLite has FTS5 (asked of a throwaway in-memory database)."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
    except sqlite3.Error:
        return False
    return True


def _fts_rank(words: list[str]) -> RawSQL:
    """An article's rank from SQLite's FTS5 index (bm25: title 10, summary and tags 4;
    higher is better), or NULL when none of the meaningful words is in it."""
    meaningful = [word for word in words if word not in STOP_WORDS] or words
    # FTS5 does not stem: each word also matches as the start of a longer one ("refund"
    # finds "refunds"), as PostgreSQL's stemming would, and so does the word being typed.
    terms = [f'"{word}"*' for word in meaningful]
    return RawSQL(
        "SELECT -bm25(knowledge_article_fts, 10.0, 4.0, 4.0) FROM knowledge_article_fts "
        "WHERE knowledge_article_fts MATCH %s "
        "AND knowledge_article_fts.rowid = knowledge_article.id",
        [" OR ".join(terms)],
    )


def _contains(word: str, *, body: bool = True) -> Q:
    found = Q(title__icontains=word) | Q(summary__icontains=word) | Q(tags__icontains=word)
    return found | Q(body_text__icontains=word) if body else found


def _title_hits(words: list[str]):
    """A crude rank for SQLite: two points per word in the title, one per word in the summary."""
    return reduce(
        operator.add,
        [
            Case(When(title__icontains=word, then=Value(2)), default=Value(0))
            + Case(When(summary__icontains=word, then=Value(1)), default=Value(0))
            for word in words
        ],
    )


def snippet(article, query: str) -> SafeString:
    """A highlighted extract of the body for a result, safe to show."""
    headline = getattr(article, "headline", "") or ""
    if is_postgresql():
        return mark_safe(  # escaped before the marks are added
            escape(headline).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
        )
    words = words_of(clean_query(query))
    return highlight(_window(headline, words), words)


def _window(text: str, words: list[str]) -> str:
    """About SNIPPET_CHARS characters of text around the first word found."""
    lower = text.lower()
    positions = [lower.find(word) for word in words if word in lower]
    start = max(0, min(positions) - 60) if positions else 0
    if start:
        start = text.find(" ", start) + 1 or start
    extract = text[start : start + SNIPPET_CHARS]
    if start + SNIPPET_CHARS < len(text):
        extract = extract.rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + extract


def highlight(text: str, words: list[str]) -> SafeString:
    """Text escaped, with the words wrapped in <mark>; words are matched in the raw text."""
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    pieces = pattern.split(text)
    found = pattern.findall(text)
    out = [escape(pieces[0])]
    for match, after in zip(found, pieces[1:], strict=True):
        out.append(f"<mark>{escape(match)}</mark>{escape(after)}")
    return mark_safe("".join(out))  # every piece was escaped


def vectors_for(config: str) -> dict:
    """The values of both search vectors, in one text search configuration."""
    about = SearchVector("title", config=config, weight="A") + SearchVector(
        "summary", "tags", config=config, weight="B"
    )
    return {
        "title_vector": about,
        "search_vector": about + SearchVector("body_text", config=config, weight="C"),
    }


def index_article(article) -> None:
    """Refresh one article's search vector (PostgreSQL; nothing to do on SQLite)."""
    if is_postgresql():
        type(article).objects.filter(pk=article.pk).update(
            **vectors_for(config_for(article.language))
        )


def index_articles(queryset) -> None:
    """Refresh the search vectors of many articles at once, one update per language."""
    if not is_postgresql():
        return
    for code, config in CONFIGS.items():
        queryset.filter(language=code).update(**vectors_for(config))
    queryset.exclude(language__in=list(CONFIGS)).update(**vectors_for(FALLBACK_CONFIG))
