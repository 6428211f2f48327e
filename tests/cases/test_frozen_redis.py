"""A frozen Redis (connections taken, never answered) costs the contact form nothing: the
request never talks to the broker (the outbox relay sends the mail), and the rate
limiter's cache is left alone after its first timeout (helpdesk.lib.ratelimit)."""

import socket
import threading
import uuid

import pytest
from django.urls import reverse
from kombu import messaging

from cases.models import Case
from helpdesk.lib import ratelimit
from outbox.models import OutboundEmail
from tests.factories import TeamFactory


class FrozenServer:
    """Takes every connection and never answers, as a stopped Redis process does; counts
    the connections it took."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.taken = []
        self.thread = threading.Thread(target=self.take, daemon=True)
        self.thread.start()

    def take(self):
        while True:
            try:
                connection, _peer = self.listener.accept()
            except OSError:
                return
            self.taken.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.taken:
            connection.close()


@pytest.fixture
def frozen():
    server = FrozenServer()
    yield server
    server.close()


@pytest.fixture
def published(monkeypatch):
    """Every message a request would hand to the broker."""
    sent = []
    monkeypatch.setattr(messaging.Producer, "publish", lambda self, *a, **k: sent.append(a))
    return sent


@pytest.fixture
def fresh_breaker(monkeypatch):
    monkeypatch.setattr(ratelimit.cache_breaker, "failed_at", None)


def post(client, n):
    return client.post(
        reverse("cases:contact"),
        {
            "name": f"Customer {n}",
            "email": f"customer{n}@example.com",
            "subject": "My parcel never came",
            "message": "It is two weeks late.",
            "submission_token": str(uuid.uuid4()),
        },
    )


@pytest.mark.django_db
def test_a_frozen_redis_holds_no_contact_form_post(
    client, settings, frozen, published, fresh_breaker
):
    TeamFactory(is_default=True)
    settings.CELERY_BROKER_URL = f"redis://{frozen.address}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "helpdesk.lib.redis_cache.Cache",
            "LOCATION": f"redis://{frozen.address}/1",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    first = post(client, 1)
    asked_by_first = len(frozen.taken)
    later = [post(client, n) for n in range(2, 6)]

    assert [response.status_code for response in [first, *later]] == [302] * 5
    # The first post's rate-limit count timed out on the cache, once; the next ones do not
    # ask it, and none of them hands anything to the broker.
    assert asked_by_first >= 1
    assert len(frozen.taken) == asked_by_first
    assert published == []
    # Nothing lost: five cases, five acknowledgements waiting for the relay.
    assert Case.objects.count() == 5
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 5
