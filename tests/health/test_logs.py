"""One log line per request and per task: the case where there is one, never a private
link's token, a query string or an address."""

import logging

import pytest
from celery import shared_task
from django.urls import reverse

from cases import links
from health.tasks import heartbeat
from helpdesk.celery import app as celery_app
from helpdesk.lib.logs import MaskPrivatePaths
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(caplog):
    """The log lines written so far by `logger` at `level` or above."""
    caplog.set_level(logging.DEBUG)

    def written(logger, level=logging.INFO):
        return [
            record.getMessage()
            for record in caplog.records
            if record.name == logger and record.levelno >= level
        ]

    return written


@pytest.fixture
def case(agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", owner=agent)
    return CaseFactory(contact=contact, assignee=agent, team=agent.team)


def token_of(case) -> str:
    return links.access_link_create(case=case).rstrip("/").rsplit("/", 1)[1]


def test_a_case_page_logs_its_reference_the_agent_and_the_time_taken(client, agent, case, lines):
    client.force_login(agent.user)

    client.get(reverse("cases:detail", args=[case.reference]))

    [line] = lines("helpdesk.requests")
    assert line.startswith(f"method=GET path=/desk/cases/{case.reference}/ status=200 ms=")
    assert line.endswith(f" user={agent.user.pk} case={case.reference}")


def test_a_page_without_a_case_or_a_user_logs_dashes(client, lines):
    client.get("/kb/")

    [line] = lines("helpdesk.requests")
    assert line.startswith("method=GET path=/kb/ status=200 ms=")
    assert line.endswith(" user=- case=-")


def test_a_private_link_is_logged_with_its_token_masked(client, case, lines):
    token = token_of(case)

    response = client.get(f"/c/{token}/")

    assert response.status_code == 302
    [line] = lines("helpdesk.requests")
    assert "path=/c/***/ status=302" in line
    assert token not in line


def test_a_private_link_without_its_slash_or_gone_is_masked_too(client, lines):
    client.get("/c/a-token-nobody-issued")  # redirected to the slash
    client.get("/c/a-token-nobody-issued/")  # the same 404 as any wrong token
    client.get("/c/data/a-signed-token-for-a-copy/")
    client.get("/accounts/reset/MQ/cu2a9c-0123456789abcdef/")  # a password reset link

    paths = [line.split(" status=")[0] for line in lines("helpdesk.requests")]
    assert paths == [
        "method=GET path=/c/***",
        "method=GET path=/c/***/",
        "method=GET path=/c/data/***/",
        "method=GET path=/accounts/reset/***/***/",
    ]
    # Django's own "Not Found" warning is masked as well.
    assert lines("django.request") == ["Not Found: /c/***/", "Not Found: /c/data/***/"]


def test_the_query_string_is_never_logged(client, lines):
    client.get("/kb/", {"q": "maria@customer.example"})

    [line] = lines("helpdesk.requests")
    assert "path=/kb/ " in line
    assert "maria" not in line and "q=" not in line


def test_a_path_cannot_write_a_line_of_its_own(client, lines):
    client.get("/kb/%0Amethod=GET path=/admin/ status=200")

    [line] = lines("helpdesk.requests")
    assert "\n" not in line
    assert line.startswith(
        "method=GET path=/kb/%0Amethod%3DGET%20path%3D/admin/%20status%3D200 status=404"
    )


def test_a_reference_that_is_not_one_is_not_logged(client, agent, lines):
    client.force_login(agent.user)

    client.get("/desk/cases/HD-1%20or%201=1/")

    [line] = lines("helpdesk.requests")
    assert line.endswith(" case=-")


def test_a_task_logs_its_name_id_outcome_and_time(lines):
    result = case_task.delay(reference="")

    [line] = lines("helpdesk.tasks")
    assert line.startswith(f"task=tests.health.case_task id={result.id} outcome=success ms=")
    assert line.endswith(" case=-")


def test_a_pass_that_did_nothing_is_logged_at_debug_only(lines):
    """The relay runs every two seconds; at INFO the log would be mostly idle passes."""
    result = heartbeat.delay()  # returns nothing
    idle = case_task.delay(reference="", did=0)

    assert lines("helpdesk.tasks") == []
    written = lines("helpdesk.tasks", logging.DEBUG)
    assert [line.split(" ")[1] for line in written] == [f"id={result.id}", f"id={idle.id}"]


@shared_task(name="tests.health.case_task")
def case_task(reference: str, fail: bool = False, did: int = 1) -> int:
    if fail:
        raise ValueError("Refused by mail.example.com for maria@customer.example")
    return did


def test_a_task_naming_a_case_logs_its_reference(lines):
    case_task.delay(reference="HD-000042")

    [line] = lines("helpdesk.tasks")
    assert line.endswith(" case=HD-000042")


@pytest.fixture
def errors_kept_in_the_task():
    """As in a worker: a task's error is recorded, not raised to the caller."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


def test_a_failed_task_logs_the_kind_of_error_never_its_text(lines, errors_kept_in_the_task):
    case_task.delay(reference="HD-000042", fail=True)

    [line] = lines("helpdesk.tasks")
    assert " outcome=failure " in line
    assert line.endswith(" case=HD-000042 error=ValueError")
    assert "maria" not in line


def test_the_development_servers_request_line_loses_its_token_and_query_string():
    record = logging.LogRecord(
        "django.server",
        logging.WARNING,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /c/Zm9vYmFy%2Dc2VjcmV0/?next=maria%40customer.example HTTP/1.1", 404, 179),
        None,
    )

    MaskPrivatePaths().filter(record)

    assert record.getMessage() == '"GET /c/***/ HTTP/1.1" 404 179'
