"""Sessions are Django's database sessions kept with their user (agents.UserSession) and
read joined with that user in one written query (cases.auth): a live session loads, a
missing, expired or damaged one is empty and gets a fresh key, as with Django's own
store; a signed-in desk page reads session and user in that one query."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agents.models import UserSession as Session
from cases.auth import SessionStore

pytestmark = pytest.mark.django_db


def saved(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_the_site_keeps_its_sessions_in_this_store():
    assert import_module(settings.SESSION_ENGINE).SessionStore is SessionStore


def test_a_live_session_loads_in_one_query(django_assert_num_queries):
    key = saved(colour="blue", count=2)

    store = SessionStore(key)
    with django_assert_num_queries(1):
        assert store.load() == {"colour": "blue", "count": 2}
    assert store.session_key == key


def test_a_session_past_its_expiry_is_empty_and_its_key_is_not_reused():
    key = saved(colour="blue")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None
    store["colour"] = "red"
    store.save()
    assert store.session_key != key


def test_a_session_just_before_its_expiry_still_loads():
    key = saved(colour="blue")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(seconds=5)
    )

    assert SessionStore(key).load() == {"colour": "blue"}


def test_an_unknown_key_is_empty_and_no_key_asks_nothing(django_assert_num_queries):
    saved(colour="blue")

    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    with django_assert_num_queries(0):
        assert SessionStore(None).load() == {}


def test_damaged_session_data_is_empty():
    key = saved(colour="blue")
    Session.objects.filter(session_key=key).update(session_data="not:signed:data")

    assert SessionStore(key).load() == {}


def test_signing_in_and_out_through_the_store(client, agent):
    agent.user.set_password("long enough password")
    agent.user.save()

    client.post(reverse("login"), {"username": "ana", "password": "long enough password"})
    assert client.get(reverse("cases:queue")).status_code == 200

    client.post(reverse("logout"))
    assert client.get(reverse("cases:queue")).status_code == 302


# The session with its user: one query for both, and Django's checks kept.


def desk_request(client, path="/desk/"):
    """A request carrying the client's session cookie, through the session and sign-in
    middleware only."""
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    from cases.auth import SignedInMiddleware

    request = RequestFactory().get(path)
    request.COOKIES.update({k: v.value for k, v in client.cookies.items()})
    SessionMiddleware(lambda r: None).process_request(request)
    SignedInMiddleware(lambda r: None).process_request(request)
    return request


def test_a_signed_in_session_keeps_its_user_in_a_column(client, agent):
    client.force_login(agent.user)

    assert Session.objects.get().user_id == agent.user.pk


def test_session_user_agent_team_and_unread_count_are_one_query(
    client, agent, django_assert_num_queries
):
    from cases.models import Notification

    Notification.objects.create(agent=agent, detail="Case 1 was assigned to you")
    client.force_login(agent.user)
    request = desk_request(client)

    with django_assert_num_queries(1):
        user = request.user
        assert user.pk == agent.user.pk and user.is_authenticated
        assert user.agent.team.name == agent.team.name
        assert user.desk_unread == 1


def test_a_row_naming_another_user_than_its_data_signs_in_the_datas_user(
    client, agent, other_agent, django_assert_num_queries
):
    client.force_login(agent.user)
    Session.objects.update(user=other_agent.user)
    request = desk_request(client)

    with django_assert_num_queries(2):  # the session (with the wrong user), then the right one
        assert request.user.pk == agent.user.pk


def test_a_changed_password_still_ends_the_session(client, agent):
    client.force_login(agent.user)
    agent.user.set_password("a new long password")
    agent.user.save()

    assert not desk_request(client).user.is_authenticated


def test_a_deactivated_user_is_not_signed_in_by_their_session(client, agent):
    client.force_login(agent.user)
    type(agent.user).objects.filter(pk=agent.user.pk).update(is_active=False)

    assert not desk_request(client).user.is_authenticated


def test_a_session_without_a_user_reads_no_user(client, django_assert_num_queries):
    key = saved(colour="blue")
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    request = desk_request(client)

    with django_assert_num_queries(1):
        assert not request.user.is_authenticated
    assert Session.objects.get().user_id is None


def test_a_deleted_user_takes_their_sessions_with_them(client, django_user_model):
    user = django_user_model.objects.create_user("walk-in", password="long enough password")
    client.force_login(user)
    kept = saved(colour="blue")

    user.delete()

    assert list(Session.objects.values_list("session_key", flat=True)) == [kept]


def test_the_daily_task_deletes_expired_sessions_only():
    from cases.tasks import sessions_expired_delete

    live, expired = saved(colour="blue"), saved(colour="red")
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    sessions_expired_delete()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert settings.CELERY_BEAT_SCHEDULE["sessions-expired"]["task"] == (
        "cases.tasks.sessions_expired_delete"
    )


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_moves_live_sessions_with_their_users(django_user_model):
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("agents", "0005_languages_and_desk_language"), ("sessions", "0001_initial")]
    executor.migrate(before)
    state = executor.loader.project_state(before)
    user = state.apps.get_model("auth", "User").objects.create(username="ana")
    old = state.apps.get_model("sessions", "Session")

    def old_session(key, data, expires_in):
        old.objects.create(
            session_key=key,
            session_data=DjangoStore().encode(data),
            expire_date=timezone.now() + timedelta(seconds=expires_in),
        )

    old_session("signed-in", {"_auth_user_id": str(user.pk), "colour": "blue"}, 3600)
    old_session("gone-user", {"_auth_user_id": str(user.pk + 99)}, 3600)
    old_session("anonymous", {"colour": "red"}, 3600)
    old_session("expired", {"_auth_user_id": str(user.pk)}, -1)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = {s.session_key: s for s in Session.objects.all()}
    assert {key: s.user_id for key, s in moved.items()} == {
        "signed-in": user.pk,
        "gone-user": None,
        "anonymous": None,
    }
    assert SessionStore("signed-in").load() == {"_auth_user_id": str(user.pk), "colour": "blue"}
    assert not old.objects.exists()


def test_a_session_naming_a_user_who_is_gone_still_saves_and_reads_as_signed_out(
    client, django_assert_num_queries
):
    store = SessionStore()
    store.update({"_auth_user_id": "987654", "colour": "blue"})
    store.save()  # no such user: saving must not fail the request that saves it
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key

    assert Session.objects.get().user_id == 987654
    assert not desk_request(client).user.is_authenticated


@pytest.mark.parametrize(
    "cookie",
    ["", "short", "x" * 5000, "' OR 1=1 --", "<script>alert(1)</script>", "%00\x7f"],
)
def test_a_made_up_session_cookie_is_signed_out_and_stores_nothing(client, agent, cookie):
    client.force_login(agent.user)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie

    assert not desk_request(client).user.is_authenticated
    assert client.get(reverse("cases:queue")).status_code == 302
    assert Session.objects.count() == 1  # the agent's own, untouched
