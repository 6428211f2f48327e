"""The queue's text search: words in a case's subject, its contact's name and email.

On PostgreSQL each case row carries `search`, a full-text vector of its subject and its
contact's name and email that the database keeps (triggers on both tables, migration
0013) with a GIN index on it. It is not a model field: Django never reads or writes it.
Both the vector and the query turn ASCII punctuation into spaces first, so "1234"
finds "A-1234" and "acme.example" finds "maria@acme.example" (the parts in that order).
A word matches a whole word, in any case; a word ending in `*` matches the start of
words ("print*" finds "printer").

Whole words because the planner knows how often each word occurs (the column's
statistics): a common word is read in the queue's order and stops at the page, a rare
one comes from the index, and either costs about the same at ten times the cases.
PostgreSQL has no such figures for the start of a word and guesses one case in fifty,
which for a rare start means reading the queue in order to its end; so a prefix is
what the agent asks for with `*`, not what every word costs. Elsewhere (SQLite) the
words are looked for anywhere in the text, as `icontains` does.
"""

import string

from django.db import connection
from django.db.models import BooleanField, Expression, Q

from contacts.models import Contact

# Punctuation in what a customer or agent typed splits words, on both sides alike.
SPACED = str.maketrans(string.punctuation, " " * len(string.punctuation))
# No word in a subject (200) or an email (254) is longer; PostgreSQL refuses a
# query word over 2,047 bytes.
LONGEST_WORD = 254
# Past this many contacts holding a word, the case query takes them as a subquery.
CONTACT_MATCHES = 5000


class VectorMatch(Expression):
    """`<case table>.search @@ to_tsquery('simple', …)`, aliased as the query aliases it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, tsquery: str, alias: str | None = None):
        super().__init__()
        self.tsquery = tsquery
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
        column = f'{compiler.quote_name_unless_alias(self.alias)}."search"'
        return f"{column} @@ to_tsquery('simple', %s)", [self.tsquery]


def tsquery_text(words: list[str]) -> str:
    """Each word as a quoted term, all of them required: `'acme example' & 'print':*`.

    A word with punctuation inside becomes a phrase of its parts; a final `*` makes
    it a prefix. Quotes and backslashes are punctuation, so nothing the user typed
    can reach tsquery syntax.
    """
    terms = []
    for word in words:
        spaced = " ".join(word[:LONGEST_WORD].translate(SPACED).split())
        if spaced:
            terms.append(f"'{spaced}':*" if word.endswith("*") else f"'{spaced}'")
    return " & ".join(terms)


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
            queryset = queryset.filter(VectorMatch(tsquery_text(worded)))
        return queryset
    for word in words:
        # Looked for anywhere, a word is its own prefix: "print*" is "print".
        word = word.rstrip("*") or word
        queryset = queryset.filter(Q(subject__icontains=word) | contacts_named(word))
    return queryset


def contacts_named(word: str) -> Q:
    """Cases of contacts whose name or email holds the word (SQLite's search).

    The matching contacts are fetched first, so the case query can combine two
    indexes; a word shared by very many contacts falls back to a subquery.
    """
    contacts = Contact.objects.filter(Q(name__icontains=word) | Q(email__icontains=word))
    ids = list(contacts.values_list("pk", flat=True)[: CONTACT_MATCHES + 1])
    if len(ids) > CONTACT_MATCHES:
        return Q(contact__in=contacts.values("pk"))
    return Q(contact_id__in=ids)
