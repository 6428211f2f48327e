"""/healthz: 200 when the desk runs, 503 naming what is down, and nothing a stranger may not see."""

import socket
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from agents.models import UserSession as Session
from health import checks
from health.tasks import heartbeat
from tests.health.helpers import mail_stored_at

pytestmark = pytest.mark.django_db

# Ports of this test suite's own (nothing listens on the closed ones).
CLOSED_PORT = 8841
FROZEN_PORT = 8842
CLOSED_CACHE_PORT = 8843


@pytest.fixture
def running(db):
    """Beat sent a heartbeat a moment ago and a worker ran it."""
    heartbeat.delay(sent_at=timezone.now().isoformat())


def health(client, **extra):
    response = client.get("/healthz", {"format": "json"}, **extra)
    return response.status_code, response.json()


def statuses(body):
    return {name: check["status"] for name, check in body["checks"].items()}


@pytest.fixture
def frozen_server():
    """A server that takes connections and never answers, as a stopped Redis does."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", FROZEN_PORT))
    server.listen(16)
    yield f"127.0.0.1:{FROZEN_PORT}"
    server.close()


def redis_cache_at(address, timeout=0.5):
    return {
        "default": {
            "BACKEND": "helpdesk.lib.redis_cache.Cache",
            "LOCATION": f"redis://{address}/5",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


def test_a_working_desk_answers_200_with_every_check_ok(client, running):
    status, body = health(client)

    assert status == 200
    assert body["status"] == "ok"
    assert statuses(body) == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "outbox": "ok",
        "beat": "ok",
        "worker": "ok",
    }
    assert body["checks"]["database"]["unit"] == "ms"
    assert body["checks"]["database"]["figure"] >= 0
    assert body["checks"]["beat"] == {
        "status": "ok",
        "figure": 0,
        "unit": "s",
        "message": "Beat sent its heartbeat 0 seconds ago.",
    }


def test_a_monitor_asking_for_json_gets_json_and_a_browser_the_page(client, running):
    as_json = client.get("/healthz", HTTP_ACCEPT="application/json")
    as_page = client.get("/healthz", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert as_json["Content-Type"] == "application/json"
    assert as_json.json()["status"] == "ok"
    assert as_page.status_code == 200
    assert as_page["Content-Type"].startswith("text/html")
    assert "All is well: every check passed." in as_page.content.decode()
    assert "Accept" in as_json["Vary"]
    assert "no-store" in as_json["Cache-Control"]


def test_the_page_for_people_says_what_is_down_with_503(client):
    page = client.get("/healthz")  # no heartbeat ever recorded

    assert page.status_code == 503
    text = page.content.decode()
    assert "Something is wrong: see the checks marked Down." in text
    assert "No heartbeat from beat has been recorded." in text


def test_an_unknown_format_is_refused_with_a_clear_error(client, running):
    response = client.get("/healthz", {"format": "xml"})

    assert response.status_code == 400
    assert response.content.decode() == "format must be json or html."


def test_only_reading_is_allowed(client, running):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_a_monitor_on_the_machine_is_answered_over_plain_http(client, running, settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production with an https:// SITE_URL

    assert client.get("/healthz").status_code == 200
    assert client.get("/kb/").status_code == 301


class Unreachable:
    """The database connection as it is when the server is down: the error names its host."""

    def cursor(self):
        raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')


def test_a_database_that_does_not_answer_is_503_and_hides_its_address(client, running, monkeypatch):
    monkeypatch.setattr(checks, "connection", Unreachable())

    status, body = health(client)

    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["database"] == {
        "status": "down",
        "figure": None,
        "unit": "ms",
        "message": "The database did not answer.",
    }
    # What reads the database is not tried again, and says why.
    assert statuses(body) == {
        "database": "down",
        "broker": "ok",
        "cache": "ok",
        "outbox": "unknown",
        "beat": "unknown",
        "worker": "unknown",
    }
    assert body["checks"]["outbox"]["message"] == "Not checked: the database did not answer."
    assert "db.internal" not in str(body) and "10.0.0.5" not in str(body)


def test_a_cache_that_does_not_answer_is_503(client, running, settings):
    settings.CACHES = redis_cache_at(f"127.0.0.1:{CLOSED_CACHE_PORT}")

    status, body = health(client)

    assert status == 503
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["cache"]["message"] == "The cache did not answer."
    assert statuses(body)["database"] == "ok"
    assert str(CLOSED_CACHE_PORT) not in str(body)


def test_a_redis_broker_that_refuses_connections_is_503_without_its_address(
    client, running, settings
):
    settings.CELERY_BROKER_URL = f"redis://:s3cret-pass@127.0.0.1:{CLOSED_PORT}/4"

    status, body = health(client)

    assert status == 503
    assert body["checks"]["broker"] == {
        "status": "down",
        "figure": None,
        "unit": "ms",
        "message": "Redis did not answer.",
    }
    assert "s3cret" not in str(body) and str(CLOSED_PORT) not in str(body)


def test_a_frozen_redis_costs_healthz_a_second_and_a_half_not_a_hang(
    client, running, settings, frozen_server
):
    settings.CELERY_BROKER_URL = f"redis://{frozen_server}/4"
    settings.CACHES = redis_cache_at(frozen_server)  # 0.5 s, as in settings.py

    start = time.monotonic()
    status, body = health(client)
    took = time.monotonic() - start

    assert status == 503
    assert statuses(body)["broker"] == "down"
    assert statuses(body)["cache"] == "down"
    # The broker's ping: one second, no retry; the cache: half a second (settings.CACHES).
    assert took < 2.5


def test_an_embedded_broker_whose_folder_cannot_take_a_file_is_503(
    client, running, settings, tmp_path
):
    not_a_folder = tmp_path / "queue"
    not_a_folder.write_text("a file where the folder should be")
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(not_a_folder)}

    status, body = health(client)

    assert status == 503
    assert body["checks"]["broker"]["message"] == "The broker's folder is not writable."
    assert str(tmp_path) not in str(body)


def test_the_embedded_broker_is_checked_by_writing_a_file_the_worker_never_reads(
    client, running, settings, tmp_path
):
    queue = tmp_path / "queue"
    queue.mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(queue)}

    status, body = health(client)

    assert status == 200
    assert body["checks"]["broker"]["message"] == "The broker's folder is writable."
    assert list(queue.iterdir()) == []  # the probe is gone, and was never a .msg


def test_healthz_neither_needs_nor_makes_a_session_or_any_cookie(client, running):
    response = client.get("/healthz")
    client.get("/healthz", {"format": "json"})

    assert response.cookies == {}
    assert client.cookies == {}
    assert not Session.objects.exists()


def test_a_stuck_mail_is_counted_never_shown(client, running):
    mail_stored_at(timezone.now() - timedelta(hours=1))

    page = client.get("/healthz").content.decode()
    body = client.get("/healthz", {"format": "json"}).content.decode()

    for output in (page, body):
        assert "maria@customer.example" not in output
        assert "We received your message" not in output
        assert "HD-000001" not in output
    assert "Mail is stuck: 1 mail has waited 1\xa0hour." in page


@pytest.mark.parametrize("waiting", [3, 30])
def test_healthz_runs_three_queries_whatever_waits_in_the_outbox(
    client, running, assert_queries, waiting
):
    for seconds in range(waiting):
        mail_stored_at(timezone.now() - timedelta(seconds=seconds))
    # SELECT 1; the heartbeat row; count and oldest of the unsent mail (pending index)
    with assert_queries(3):
        assert client.get("/healthz", {"format": "json"}).status_code == 200
    with assert_queries(3):
        assert client.get("/healthz").status_code == 200
