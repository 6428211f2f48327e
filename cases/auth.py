"""The signed-in user as every page needs them, in one query: the user, their desk
profile and team (agents.desk.agent_required takes them from here) and how many
notifications they have not read (the navigation's badge).

Every request runs it, so it is written as SQL, built once per process from the models'
own columns: the ORM took 2–3 ms to compile the joins and the count on every request,
several times what the database takes to answer. Each value still passes through the
field's and the database backend's converters, as the ORM would pass it.

A page that marks notifications read forgets the count, and the badge counts afresh."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, connections

from agents.models import Agent, Team
from cases.models import Notification


class DeskBackend(ModelBackend):
    def get_user(self, user_id):
        user = _user_row(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


@functools.cache
def _reading():
    """The query and, per model, its fields with their converters."""
    connection = connections[DEFAULT_DB_ALIAS]
    name = connection.ops.quote_name
    user_model = get_user_model()
    columns, layout = [], []
    for model, alias in ((user_model, "u"), (Agent, "a"), (Team, "t")):
        fields = []
        for field in model._meta.concrete_fields:
            columns.append(f"{alias}.{name(field.column)}")
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column)
            fields.append((field.attname, converters + column.get_db_converters(connection)))
        layout.append((model, fields))
    # The unread count is served by the index notification_unread_idx; no agent counts 0.
    sql = (
        f"SELECT {', '.join(columns)},"
        f" (SELECT COUNT(*) FROM {name(Notification._meta.db_table)} n"
        f" WHERE n.{name('agent_id')} = a.{name('id')} AND n.{name('read_at')} IS NULL)"
        f" FROM {name(user_model._meta.db_table)} u"
        f" LEFT JOIN {name(Agent._meta.db_table)} a ON a.{name('user_id')} = u.{name('id')}"
        f" LEFT JOIN {name(Team._meta.db_table)} t ON t.{name('id')} = a.{name('team_id')}"
        f" WHERE u.{name('id')} = %s"
    )
    return sql, layout


def _user_row(user_id):
    """The user with agent, team and unread count, or None when there is no such user."""
    sql, layout = _reading()
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    user, agent, team = (_instance(model, fields, values, connection) for model, fields in layout)
    if agent is None:
        # Known to have none: asking again costs no query, as with select_related.
        type(user).agent.related.set_cached_value(user, None)
    else:
        agent.team = team
        user.agent = agent
    user.desk_unread = next(values)
    return user


def _instance(model, fields, values, connection):
    """The next model's columns as an instance, or None when the join found no row."""
    read = []
    for _, converters in fields:
        value = next(values)
        for convert in converters:
            value = convert(value, None, connection)
        read.append(value)
    if read[0] is None:  # the primary key: no row joined
        return None
    return model.from_db(connection.alias, [attname for attname, _ in fields], read)


def desk_unread(user) -> int | None:
    """The unread count loaded with the user, or None when it is not known (any more)."""
    return getattr(user, "desk_unread", None)


def desk_unread_forget(user) -> None:
    """Notifications were marked read: the count loaded with the user is out of date."""
    if desk_unread(user) is not None:
        del user.desk_unread


def desk_unread_set(user, count: int) -> None:
    """The page knows the count now (it marked them all read)."""
    user.desk_unread = count
