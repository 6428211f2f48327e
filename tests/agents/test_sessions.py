"""An agent's session ends after a while idle, and every one of them on request."""

import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.log import Action
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def idle_30(settings):
    settings.SESSION_IDLE_MINUTES = 30


def queue(client):
    return client.get(reverse("cases:queue"))


def test_a_session_idle_past_the_limit_ends(client, agent, idle_30):
    start = time.time()
    with time_machine.travel(start, tick=False):
        client.force_login(agent.user)
    with time_machine.travel(start + 29 * 60, tick=False):
        assert queue(client).status_code == 200
    # That request was a use: the half hour counts from it.
    with time_machine.travel(start + 58 * 60, tick=False):
        assert queue(client).status_code == 200
    with time_machine.travel(start + 88 * 60 + 1, tick=False):
        ended = queue(client)
        assert ended.status_code == 302 and ended.url.startswith(reverse("login"))
        assert queue(client).url.startswith(reverse("login"))  # logged out, not only sent away


def test_the_last_use_is_written_at_most_once_a_minute(client, agent, idle_30):
    start = time.time()
    with time_machine.travel(start, tick=False):
        client.force_login(agent.user)
    with time_machine.travel(start + 59, tick=False):
        queue(client)
        assert client.session["session_seen"] == pytest.approx(start)
    with time_machine.travel(start + 60, tick=False):
        queue(client)
        assert client.session["session_seen"] == pytest.approx(start + 60)


def test_no_limit_when_it_is_zero(client, agent, settings):
    settings.SESSION_IDLE_MINUTES = 0
    client.force_login(agent.user)

    # Ten days on: within the two weeks a session is kept at all.
    with time_machine.travel(time.time() + 10 * 24 * 3600, tick=False):
        assert queue(client).status_code == 200


def test_log_out_everywhere_ends_every_session_of_the_agent_only(agent, other_agent):
    laptop, phone, colleague = Client(), Client(), Client()
    laptop.force_login(agent.user)
    phone.force_login(agent.user)
    colleague.force_login(other_agent.user)

    answer = laptop.post(reverse("account:log_out_all"))

    assert answer.url == reverse("login")
    assert queue(laptop).status_code == 302
    assert queue(phone).status_code == 302
    assert queue(colleague).status_code == 200
    (entry,) = AuditEntry.objects.filter(action=Action.SESSIONS_ENDED)
    assert entry.actor == agent.user
    # A new login is a new session, and it holds.
    with time_machine.travel(time.time() + 1, tick=False):
        laptop.post(reverse("login"), {"username": "ana", "password": "secret-password"})
        assert queue(laptop).status_code == 200


def test_log_out_everywhere_is_a_post(client, agent):
    client.force_login(agent.user)

    assert client.get(reverse("account:log_out_all")).status_code == 405
    assert queue(client).status_code == 200
