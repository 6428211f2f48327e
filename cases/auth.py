"""The signed-in user as every page needs them, in one query with their session: the
session's data, the user, their desk profile and team (agents.desk.agent_required takes
them from here) and how many notifications they have not read (the navigation's badge).

Django reads the session, then the user it names, in two queries. Here the session row
(agents.UserSession, which keeps its user as a column) is read joined with the user, and
SignedInMiddleware hands that user to Django's own sign-in checks (the backend, the
password hash the session was signed with), so a desk page starts with one query.
A request whose session names another user than its row (none should), or that asks for
the user outside the middleware, reads the user with a query of its own.

Both run on every request, so they are written as SQL (helpdesk.lib.rows): the ORM took
2–3 ms to compile the joins and the count on every request, several times what the
database takes to answer. Saving, creating and deleting sessions stay Django's own.

A page that marks notifications read forgets the count, and the badge counts afresh."""

from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends import db
from django.db import connection, connections, router
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from agents.models import Agent, Team, UserSession
from cases.models import Notification
from helpdesk.lib.rows import Joined

USER = Joined((get_user_model(), "u"), (Agent, "a"), (Team, "t"))
SESSION = Joined((UserSession, "s", {"session_data"}), *USER.parts)
# served by the index notification_unread_idx; no agent counts 0
UNREAD = "(SELECT COUNT(*) FROM {notifications} n WHERE n.agent_id = a.id AND n.read_at IS NULL)"

# The user read with the request's session, while Django's get_user runs for it.
SESSION_USER: ContextVar = ContextVar("session_user", default=None)


class SessionStore(db.SessionStore):
    """Django's database sessions in agents.UserSession, read with their user."""

    user_read = None  # the user the loaded row names, with agent, team and unread count

    @classmethod
    def get_model_class(cls):
        return UserSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data.get(SESSION_KEY))
        return session

    def load(self):
        """The session's data, or {} (and no key) when it is missing or has expired."""
        self.user_read = None
        if not self.session_key:
            return {}
        with connections[router.db_for_read(UserSession)].cursor() as cursor:
            cursor.execute(
                SESSION.select(
                    "u.id = s.user_id",
                    "a.user_id = u.id",
                    "t.id = a.team_id",
                    where="s.session_key = %s AND s.expire_date > %s",
                    extra=UNREAD,
                    tables={"notifications": Notification},
                ),
                [self.session_key, cursor.db.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store does: a new session gets a new key, never the one sent.
            self._session_key = None
            return {}
        (session, user, agent, team), (unread,) = SESSION.build(row)
        if user is not None:
            self.user_read = _user_built(user, agent, team, unread)
        return self.decode(session.session_data)


def _user_id(value) -> int | None:
    """The signed-in user's id as the session data keeps it (a string), if it is one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SignedInMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, handing the user read with the session to
    Django's own get_user (through DeskBackend) instead of reading them again."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: signed_in(request))


def signed_in(request):
    session = request.session
    session.get(SESSION_KEY)  # loads the session, and with it its user
    token = SESSION_USER.set(getattr(session, "user_read", None))
    try:
        return auth.get_user(request)
    finally:
        SESSION_USER.reset(token)


class DeskBackend(ModelBackend):
    def get_user(self, user_id):
        user = SESSION_USER.get()
        if user is None or _user_id(user_id) != user.pk:
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
                extra=UNREAD,
                tables={"notifications": Notification},
            ),
            [user_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    (user, agent, team), (unread,) = USER.build(row)
    return _user_built(user, agent, team, unread)


def _user_built(user, agent, team, unread):
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
