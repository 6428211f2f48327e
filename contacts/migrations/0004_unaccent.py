"""PostgreSQL's unaccent extension, for searches that ignore accents (contacts.models.Unaccent).

SQLite has no extensions: its unaccent() is a Python function (contacts.apps).
"""

from django.contrib.postgres import operations
from django.db import migrations


class UnaccentExtension(operations.UnaccentExtension):
    """Django's, whose undoing would look for the extension on SQLite too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_contact_erased_at")]

    operations = [UnaccentExtension()]
