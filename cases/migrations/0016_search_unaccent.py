"""On PostgreSQL: the queue's search vector and its query lose their accents (unaccent),
so "lopez" finds "López" and "garcía" finds "Garcia" (cases/search.py).

`cases_search_words()` is the one rule both sides follow: unaccent, then ASCII
punctuation into spaces, as 0013 did alone. unaccent() is only STABLE (it reads a rules
file), which the vector does not mind: a column the triggers write, not an index
expression. The query would: a STABLE call is worked out again for each case a plan
filters, one by one. So cases_search_words() is declared IMMUTABLE, and the query's
tsquery becomes while planning the same constant as before 0015 (EXPLAIN shows
`search @@ 'lopez'::tsquery`, quoted), and the word's frequency still picks the plan.
Nothing indexes the function: were the rules file changed, the vectors would be
recomputed as below, no index rebuilt.

Only the cases whose vector changes are written again: those with an accent.
"""

import string

from django.db import migrations

SPACES = " " * len(string.punctuation)
PUNCTUATION = string.punctuation.replace("'", "''")

RECOMPUTE = """
    UPDATE cases_case SET search = cases_case_search(subject, contact_id)
    WHERE search IS DISTINCT FROM cases_case_search(subject, contact_id)
"""

FORWARD = [
    f"""
    CREATE FUNCTION cases_search_words(words text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT translate(unaccent(words), '{PUNCTUATION}', '{SPACES}')
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION cases_case_search(subject text, contact bigint) RETURNS tsvector
    LANGUAGE sql STABLE AS $$
        SELECT to_tsvector('simple', cases_search_words(
            coalesce(subject, '') || ' ' || coalesce(
                (SELECT c.name || ' ' || c.email FROM contacts_contact c WHERE c.id = contact),
                ''
            )
        ))
    $$
    """,
    RECOMPUTE,
]

BACKWARD = [
    # 0013's vector.
    f"""
    CREATE OR REPLACE FUNCTION cases_case_search(subject text, contact bigint) RETURNS tsvector
    LANGUAGE sql STABLE AS $$
        SELECT to_tsvector('simple', translate(
            coalesce(subject, '') || ' ' || coalesce(
                (SELECT c.name || ' ' || c.email FROM contacts_contact c WHERE c.id = contact),
                ''
            ),
            '{PUNCTUATION}', '{SPACES}'
        ))
    $$
    """,
    RECOMPUTE,
    "DROP FUNCTION cases_search_words(text)",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_canned_answer_versions"),
        ("contacts", "0004_unaccent"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
