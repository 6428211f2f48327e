"""On SQLite (the embedded default), an FTS5 index of the articles' title, summary and
tags, kept in step by triggers, so suggestions are ranked (bm25) as on PostgreSQL.
Nothing happens on PostgreSQL, which has its own full-text search."""

from django.db import migrations

CREATE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts USING fts5(
        title, summary, tags,
        content='knowledge_article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_ai AFTER INSERT ON knowledge_article
    BEGIN
        INSERT INTO knowledge_article_fts(rowid, title, summary, tags)
        VALUES (new.id, new.title, new.summary, new.tags);
    END""",
    """CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_ad AFTER DELETE ON knowledge_article
    BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, summary, tags)
        VALUES ('delete', old.id, old.title, old.summary, old.tags);
    END""",
    """CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_au AFTER UPDATE ON knowledge_article
    BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, summary, tags)
        VALUES ('delete', old.id, old.title, old.summary, old.tags);
        INSERT INTO knowledge_article_fts(rowid, title, summary, tags)
        VALUES (new.id, new.title, new.summary, new.tags);
    END""",
    "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS knowledge_article_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_au",
    "DROP TABLE IF EXISTS knowledge_article_fts",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            try:
                for statement in statements:
                    cursor.execute(statement)
            except Exception as error:
                # An SQLite built without FTS5: suggestions keep the plain word match.
                if "fts5" not in str(error).lower():
                    raise

    return apply


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_agents_app")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
