"""On PostgreSQL: a full-text vector on each case, of its subject and its contact's name
and email, kept by triggers and indexed (cases/search.py says how the queue reads it).

Triggers rather than code in the services: every way a case or a contact is written
(bulk loads, admin, a contact's rename or erasure) keeps the vector true. ASCII
punctuation becomes spaces before the words are split, as cases.search does to the
words searched for. SQLite has no such column; its search reads the text itself.
"""

import string

from django.db import migrations

SPACES = " " * len(string.punctuation)
PUNCTUATION = string.punctuation.replace("'", "''")

FORWARD = [
    "ALTER TABLE cases_case ADD COLUMN search tsvector",
    f"""
    CREATE FUNCTION cases_case_search(subject text, contact bigint) RETURNS tsvector
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
    """
    CREATE FUNCTION cases_case_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search := cases_case_search(NEW.subject, NEW.contact_id);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER cases_case_search_insert BEFORE INSERT ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_case_search_keep()
    """,
    """
    CREATE TRIGGER cases_case_search_update BEFORE UPDATE OF subject, contact_id ON cases_case
    FOR EACH ROW
    WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.contact_id IS DISTINCT FROM NEW.contact_id)
    EXECUTE FUNCTION cases_case_search_keep()
    """,
    """
    CREATE FUNCTION contacts_contact_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE cases_case SET search = cases_case_search(subject, contact_id)
        WHERE contact_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER contacts_contact_search_update AFTER UPDATE OF name, email ON contacts_contact
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION contacts_contact_search_keep()
    """,
    "UPDATE cases_case SET search = cases_case_search(subject, contact_id)",
    "CREATE INDEX case_search_idx ON cases_case USING gin (search)",
]

BACKWARD = [
    "DROP TRIGGER contacts_contact_search_update ON contacts_contact",
    "DROP FUNCTION contacts_contact_search_keep()",
    "DROP TRIGGER cases_case_search_update ON cases_case",
    "DROP TRIGGER cases_case_search_insert ON cases_case",
    "DROP FUNCTION cases_case_search_keep()",
    "DROP FUNCTION cases_case_search(text, bigint)",
    "ALTER TABLE cases_case DROP COLUMN search",  # its index goes with it
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
        ("cases", "0012_backlog_index_by_team_priority"),
        ("contacts", "0002_agents_app"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
