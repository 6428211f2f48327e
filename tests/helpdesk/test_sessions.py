"""Sessions are Django's database sessions, read with one written query
(helpdesk.lib.sessions): a live session loads, a missing, expired or damaged one is
empty and gets a fresh key, as with Django's own store."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from helpdesk.lib.sessions import SessionStore

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
