"""Model instances from a hand-written SQL row, as the ORM would build them.

A query that runs on every request (the signed-in user) or every new case (the agent it
goes to) costs the ORM more to compile, for its joins and conditions, than the database
to answer. Such a query is written as SQL once, selecting `Joined.columns()`, and its rows
are turned into instances here: every value passes through its field's and the database
backend's converters, and every instance is marked as read from the database.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.sql import InsertQuery

# alias.column in a statement's fragments, quoted by Joined.select
QUALIFIED = re.compile(r"\b([a-z]\w*)\.([a-z_]\w*)\b")


class Joined:
    """Several models joined in one row, each under its table alias, in this order.

    A part may name the fields to read, `(Case, "c", {"id", "subject"})`: its instances
    then defer the others (a later access reads them, as after `.only()`). The primary
    key is always read."""

    def __init__(self, *parts: tuple[type[Model], str] | tuple[type[Model], str, set[str]]):
        self.parts = [(part[0], part[1], part[2] if len(part) > 2 else None) for part in parts]
        self.layout = None  # per model, its fields' names and converters (on first use)
        self.statements = {}  # each statement select() wrote, by what it was asked

    def select(self, *on: str, where: str, extra: str = "", tail: str = "", tables=None) -> str:
        """The statement: every read column (then `extra`) FROM the first model's table,
        each other model's table LEFT JOIN-ed ON its condition in `on`, in order, then
        WHERE `where` and `tail` (ORDER BY, LIMIT). The fragments name columns as
        `alias.column`, quoted here; other tables, as `{key}` for `tables[key]`, a model.
        Written once per process: every later call is a lookup.

            USER.select("a.user_id = u.id", "t.id = a.team_id", where="u.id = %s")
        """
        key = (on, where, extra, tail, tuple(sorted((tables or {}).items())))
        if key not in self.statements:
            name = connections[DEFAULT_DB_ALIAS].ops.quote_name
            named = {key: name(model._meta.db_table) for key, model in (tables or {}).items()}

            def quoted(fragment: str) -> str:
                fragment = fragment.format(**named)
                return QUALIFIED.sub(lambda found: f"{found[1]}.{name(found[2])}", fragment)

            (first, alias, _), *others = self.parts
            statement = [f"SELECT {self.columns()}"]
            if extra:
                statement.append(f", {quoted(extra)}")
            statement.append(f" FROM {name(first._meta.db_table)} {alias}")
            for (model, alias, _), condition in zip(others, on, strict=True):
                statement.append(
                    f" LEFT JOIN {name(model._meta.db_table)} {alias} ON {quoted(condition)}"
                )
            statement.append(f" WHERE {quoted(where)}")
            if tail:
                statement.append(f" {quoted(tail)}")
            self.statements[key] = "".join(statement)
        return self.statements[key]

    def columns(self) -> str:
        """The select list: the read columns of every model, each under its alias."""
        name = connections[DEFAULT_DB_ALIAS].ops.quote_name
        return ", ".join(
            f"{alias}.{name(field.column)}"
            for model, alias, only in self.parts
            for field in _read_fields(model, only)
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
            instances.append(None if pk is None else instance_from_db(model, names, read))
        return instances, list(values)

    def _layout(self):
        connection = connections[DEFAULT_DB_ALIAS]
        layout = []
        for model, _, only in self.parts:
            fields = []
            for field in _read_fields(model, only):
                column = field.get_col(model._meta.db_table)
                converters = connection.ops.get_db_converters(column)
                fields.append((field.attname, converters + column.get_db_converters(connection)))
            layout.append((model, fields))
        return layout


def instance_from_db(model: type[Model], names: list[str], values: list) -> Model:
    """What `model.from_db(alias, names, values)` makes, made directly: the attributes
    read, and the state of an instance loaded from the default database. A field not
    read is not set, so it is deferred as after `.only()` (Model.get_deferred_fields).

    Model.__init__ walks every field of the model to set each value or pass over it,
    for each row: a page of timeline entries spent more on that than on its SQL. A model
    someone listens to as it is made (pre_init, post_init) is made by from_db as ever.
    """
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(DEFAULT_DB_ALIAS, names, values)
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    instance._state = state
    instance.__dict__.update(zip(names, values, strict=True))
    return instance


def _read_fields(model, only):
    """The concrete fields read, in the model's order (Model.from_db fills the deferred
    ones by that order)."""
    fields = model._meta.concrete_fields
    if only is None:
        return fields
    unknown = set(only) - {field.name for field in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    return [field for field in fields if field.primary_key or field.name in only]


# Between the statements of a batch; also how a test or a benchmark that watches the SQL
# counts a batch as the statements it holds (statement_count).
BATCH_SEPARATOR = ";\n-- then\n"


def statement_count(sql: str) -> int:
    """How many statements one execute sent: a batch from fetch_together holds several."""
    return 1 + sql.count(BATCH_SEPARATOR)


def fetch_together(*statements: tuple[str, list]) -> list[list[tuple]]:
    """The rows of each statement, in order. A page that needs several independent
    reads sends them in one batch on PostgreSQL (psycopg, binding parameters on the
    client as Django does by default, runs them in one round trip and returns their
    results one after another): each round trip cost about 0.2 ms on the bench machine.
    Elsewhere, or with server-side binding, they run one by one."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.settings_dict.get(
            "OPTIONS", {}
        ).get("server_side_binding"):
            cursor.execute(
                BATCH_SEPARATOR.join(sql for sql, _ in statements),
                [value for _, params in statements for value in params],
            )
            results = [cursor.fetchall()]
            while cursor.nextset():
                results.append(cursor.fetchall())
            return results
        results = []
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
        return results


# The rows insert() queued inside inserts_together(), one tuple of instances per call.
queued_inserts: ContextVar[list[tuple[Model, ...]] | None] = ContextVar(
    "queued_inserts", default=None
)


@contextmanager
def inserts_together():
    """Inside the block, `insert()` queues its rows; leaving the block sends them all at
    once (one round trip on PostgreSQL, see fetch_together) and gives each its primary
    key. A new case writes several rows that nothing reads back before the commit (its
    events, the owner change, the form's record, the link's token, the acknowledgement):
    one round trip each was a third of the contact form's time in the database.

    Only for rows nothing in the block reads back, by query or by primary key; a block
    inside another sends nothing itself. A failure inside the block sends nothing (the
    transaction around it is rolled back); a failing insert (a unique column) raises
    when the block is left, inside that transaction."""
    if queued_inserts.get() is not None:
        yield
        return
    token = queued_inserts.set([])
    try:
        yield
        queued = queued_inserts.get()
    finally:
        queued_inserts.reset(token)
    if queued:
        _inserts_send(queued)


def insert(*instances: Model) -> None:
    """Save new instances of one model, as bulk_create does (no signals are sent): at
    once, or with the others of the enclosing inserts_together() block."""
    if not instances:
        return
    model = type(instances[0])
    for instance in instances:
        if type(instance) is not model:
            raise TypeError(f"insert() takes instances of one model: {model.__name__} and more.")
        if instance.pk is not None or not instance._state.adding:
            raise ValueError(f"{model.__name__} {instance.pk} is saved already.")
    queued = queued_inserts.get()
    if queued is None:
        _inserts_send([instances])
    else:
        queued.append(instances)


def _inserts_send(groups: list[tuple[Model, ...]]) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.features.can_return_rows_from_bulk_insert:
        groups = [(instance,) for instances in groups for instance in instances]
    statements = []
    for instances in groups:
        opts = instances[0]._meta
        for instance in instances:
            _related_keys_take(instance)
        fields = [
            field
            for field in opts.local_concrete_fields
            if not field.generated and not (field.primary_key and field.db_returning)
        ]
        query = InsertQuery(type(instances[0]))
        query.insert_values(fields, instances)
        compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
        compiler.returning_fields = [opts.pk]
        statements += compiler.as_sql()
    # Each statement returns its rows' keys in their order, as bulk_create reads them.
    keys = iter(key for rows in fetch_together(*statements) for (key, *_rest) in rows)
    for instances in groups:
        for instance in instances:
            instance.pk = next(keys)
            instance._state.adding = False
            instance._state.db = DEFAULT_DB_ALIAS


def _related_keys_take(instance: Model) -> None:
    """The keys of related instances saved since they were assigned (an event made with
    its case before the case was saved), as Model.save and bulk_create take them."""
    for field in instance._meta.concrete_fields:
        if not field.is_relation or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if related is None:
            continue
        key = getattr(related, field.target_field.attname)
        if key is None:
            raise ValueError(
                f"{type(instance).__name__} refers to an unsaved {type(related).__name__}."
            )
        if getattr(instance, field.attname) != key:
            setattr(instance, field.attname, key)
