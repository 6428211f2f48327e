"""Migration operations that only touch PostgreSQL; on SQLite the model state still changes."""

from django.db.migrations.operations import AddIndex


class AddIndexOnPostgreSQL(AddIndex):
    """An index only PostgreSQL has (GIN over a tsvector); SQLite searches without it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
