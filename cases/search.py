"""The queue's text search: words in a case's subject, its contact's name and email.

On PostgreSQL each case row carries `search`, a full-text vector of its subject and its
contact's name and email that the database keeps (triggers on both tables, migrations
0013 and 0015) with a GIN index on it. It is not a model field: Django never reads or
writes it. Both the vector and the query go through the database's
`cases_search_words()`: accents go first (unaccent: "lopez" finds "López", "garcía"
finds "Garcia"), then ASCII punctuation turns into spaces, so "1234" finds "A-1234" and
"acme.example" finds "maria@acme.example" (the parts in that order). A word matches a
whole word, in any case; a word ending in `*` matches the start of words ("print*"
finds "printer").

Whole words because the planner knows how often each word occurs (the column's
statistics): a common word is read in the queue's order and stops at the page, a rare
one comes from the index, and either costs about the same at ten times the cases.
PostgreSQL has no such figures for the start of a word and guesses one case in fifty,
which for a rare start means reading the queue in order to its end; so a prefix is
what the agent asks for with `*`, not what every word costs. Elsewhere (SQLite) the
words are looked for anywhere in the text, in any case and with accents removed on both
sides (contacts.models.text_contains).
"""

import string

from django.db import connection
from django.db.models import BooleanField, Expression, Q

from contacts.models import Contact, text_contains

# Punctuation in what a customer or agent typed splits words, on both sides alike.
SPACED = str.maketrans(string.punctuation, " " * len(string.punctuation))
# No word in a subject (200) or an email (254) is longer; PostgreSQL refuses a
# query word over 2,047 bytes.
LONGEST_WORD = 254
# Past this many contacts holding a word, the case query takes them as a subquery.
CONTACT_MATCHES = 5000


class VectorMatch(Expression):
    """`<case table>.search @@ (to_tsquery('simple', …) && …)`, one tsquery a word,
    aliased as the query aliases it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, terms: list[tuple[str, bool]], alias: str | None = None):
        super().__init__()
        self.terms = terms
        self.alias = alias

    def resolve_expression(self, query=None, *args, **kwargs):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        # A word is quoted only once cases_search_words() has taken its accents and then
        # its punctuation away: unaccent turns some characters into quotes ("’" into "'").
        # The function is IMMUTABLE, so the planner works each tsquery out to a constant
        # and reads the word's frequency, as it did before accents went (migration 0015).
        tsqueries = [
            "to_tsquery('simple', '''' || cases_search_words(%s) || "
            + ("''':*')" if prefix else "'''')")
            for _, prefix in self.terms
        ]
        column = f'{compiler.quote_name_unless_alias(self.alias)}."search"'
        return f"{column} @@ ({' && '.join(tsqueries)})", [spaced for spaced, _ in self.terms]


def search_terms(words: list[str]) -> list[tuple[str, bool]]:
    """Each word with punctuation as spaces, and whether it asks for the start of words.

    A word with punctuation inside becomes a phrase of its parts; a final `*` makes
    it a prefix. Quotes and backslashes are punctuation, so nothing the user typed
    can reach tsquery syntax.
    """
    terms = []
    for word in words:
        spaced = " ".join(word[:LONGEST_WORD].translate(SPACED).split())
        if spaced:
            terms.append((spaced, word.endswith("*")))
    return terms


def tsquery_text(words: list[str]) -> str:
    """The words as one tsquery, all required: `'acme example' & 'print':*`.

    What VectorMatch asks for when no word has an accent; for reading the vector by hand.
    """
    terms = search_terms(words)
    return " & ".join(f"'{spaced}':*" if prefix else f"'{spaced}'" for spaced, prefix in terms)


def cases_matching(queryset, words: list[str]):
    """Cases whose subject or contact's name or email holds every word."""
    if connection.vendor == "postgresql":
        worded = [word for word in words if word.translate(SPACED).strip()]
        # Punctuation alone ("#", "%") has no word to look up: it is looked for in
        # the subject as it was typed.
        for word in words:
            if word not in worded:
                queryset = queryset.filter(subject__icontains=word)
        if worded:
            queryset = queryset.filter(VectorMatch(search_terms(worded)))
        return queryset
    for word in words:
        # Looked for anywhere, a word is its own prefix: "print*" is "print".
        word = word.rstrip("*") or word
        queryset = queryset.filter(text_contains("subject", word) | contacts_named(word))
    return queryset


def contacts_named(word: str) -> Q:
    """Cases of contacts whose name or email holds the word (SQLite's search).

    The matching contacts are fetched first, so the case query can combine two
    indexes; a word shared by very many contacts falls back to a subquery.
    """
    contacts = Contact.objects.filter(text_contains("name", word) | text_contains("email", word))
    ids = list(contacts.values_list("pk", flat=True)[: CONTACT_MATCHES + 1])
    if len(ids) > CONTACT_MATCHES:
        return Q(contact__in=contacts.values("pk"))
    return Q(contact_id__in=ids)
