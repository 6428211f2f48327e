"""Model instances from a hand-written SQL row, as the ORM would build them.

A query that runs on every request (the signed-in user) or every new case (the agent it
goes to) costs the ORM more to compile, for its joins and conditions, than the database
to answer. Such a query is written as SQL once, selecting `Joined.columns()`, and its rows
are turned into instances here: every value passes through its field's and the database
backend's converters, and every instance is marked as read from the database.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


class Joined:
    """Several models joined in one row, each under its table alias, in this order."""

    def __init__(self, *parts: tuple[type[Model], str]):
        self.parts = parts
        self.layout = None  # per model, its fields' names and converters (on first use)

    def columns(self) -> str:
        """The select list: every concrete column of every model, each under its alias."""
        name = connections[DEFAULT_DB_ALIAS].ops.quote_name
        return ", ".join(
            f"{alias}.{name(field.column)}"
            for model, alias in self.parts
            for field in model._meta.concrete_fields
        )

    def build(self, row) -> tuple[list[Model | None], list]:
        """The instances (None for a model whose row the join did not find: its primary
        key is NULL), and the values after their columns."""
        connection = connections[DEFAULT_DB_ALIAS]
        values = iter(row)
        instances = []
        if self.layout is None:
            self.layout = self._layout()
        for model, fields in self.layout:
            read = []
            for _, converters in fields:
                value = next(values)
                for convert in converters:
                    value = convert(value, None, connection)
                read.append(value)
            names = [attname for attname, _ in fields]
            pk = read[names.index(model._meta.pk.attname)]
            instances.append(None if pk is None else model.from_db(connection.alias, names, read))
        return instances, list(values)

    def _layout(self):
        connection = connections[DEFAULT_DB_ALIAS]
        layout = []
        for model, _ in self.parts:
            fields = []
            for field in model._meta.concrete_fields:
                column = field.get_col(model._meta.db_table)
                converters = connection.ops.get_db_converters(column)
                fields.append((field.attname, converters + column.get_db_converters(connection)))
            layout.append((model, fields))
        return layout
