"""The signed-in user as every page needs them, in one query: the user, their desk
profile and team (agents.desk.agent_required takes them from here) and how many
notifications they have not read (the navigation's badge).

Every request runs it, so it is written as SQL (helpdesk.lib.rows): the ORM took 2–3 ms
to compile the joins and the count on every request, several times what the database
takes to answer.

A page that marks notifications read forgets the count, and the badge counts afresh."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from agents.models import Agent, Team
from cases.models import Notification
from helpdesk.lib.rows import Joined

USER = Joined((get_user_model(), "u"), (Agent, "a"), (Team, "t"))


class DeskBackend(ModelBackend):
    def get_user(self, user_id):
        user = _user_read(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_read(user_id):
    """The user with agent, team and unread count, or None when there is no such user."""
    with connection.cursor() as cursor:
        cursor.execute(
            USER.select(
                "a.user_id = u.id",
                "t.id = a.team_id",
                where="u.id = %s",
                # served by the index notification_unread_idx; no agent counts 0
                extra="(SELECT COUNT(*) FROM {notifications} n"
                " WHERE n.agent_id = a.id AND n.read_at IS NULL)",
                tables={"notifications": Notification},
            ),
            [user_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    (user, agent, team), (unread,) = USER.build(row)
    if agent is None:
        # Known to have none: asking again costs no query, as with select_related.
        type(user).agent.related.set_cached_value(user, None)
    else:
        agent.team = team
        user.agent = agent
    user.desk_unread = unread
    return user


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
