"""Writing on cases through the API: changes, replies, notes and files go through the
desk's services, and the timeline names the integration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiToken
from cases.models import Attachment, Case, CaseEvent, Message, Priority, Status
from outbox.models import OutboundEmail
from tests.factories import AgentFactory, CaseFactory, CategoryFactory, MessageFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def token(*scopes, name="Shop") -> str:
    made = ApiToken(name=name, scopes=list(scopes))
    key = made.issue()
    made.save()
    return key


def send(client, method, name, key, data, *args, multipart=False):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if multipart:
        return getattr(client, method)(reverse(f"api:{name}", args=args), data, **headers)
    return getattr(client, method)(
        reverse(f"api:{name}", args=args), data, content_type="application/json", **headers
    )


@pytest.fixture
def case(agent):
    return CaseFactory(subject="Printer jams", status=Status.OPEN, assignee=None, team=agent.team)


def test_an_integration_changes_a_case_and_the_timeline_names_it(client, case, agent):
    key = token("cases:write", "cases:read")

    answer = send(
        client,
        "patch",
        "case",
        key,
        {"status": "waiting", "priority": 4, "assignee": agent.pk},
        case.reference,
    )

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["status"], answer.json()["priority"]) == ("waiting", 4)
    assert answer.json()["assignee"] == "Ana Silva"
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee) == (Status.WAITING, Priority.URGENT, agent)
    events = case.events.filter(kind__in=[CaseEvent.Kind.STATUS, CaseEvent.Kind.PRIORITY])
    assert {event.actor.get_full_name() for event in events} == {"Shop (API)"}
    assert case.last_activity_by == "Shop (API)"


def test_the_integrations_user_can_never_sign_in(client, case):
    key = token("cases:write")
    send(client, "patch", "case", key, {"priority": 1}, case.reference)

    user = ApiToken.objects.get().user
    assert (user.is_active, user.has_usable_password()) == (False, False)


def test_a_field_left_out_stays_as_it_is(client, case, other_agent):
    key = token("cases:write")
    Case.objects.filter(pk=case.pk).update(assignee=other_agent, priority=Priority.HIGH)

    answer = send(client, "patch", "case", key, {"status": "waiting"}, case.reference)

    assert answer.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.assignee, case.priority) == (
        Status.WAITING,
        other_agent,
        Priority.HIGH,
    )


def test_a_renamed_token_is_named_anew_on_its_next_write(client, case):
    key = token("cases:write")
    send(client, "patch", "case", key, {"priority": 1}, case.reference)
    ApiToken.objects.update(name="Shop EU")

    send(client, "patch", "case", key, {"priority": 2}, case.reference)

    assert ApiToken.objects.get().user.get_full_name() == "Shop EU (API)"


def test_a_stale_version_is_refused_with_409_and_nothing_written(client, case):
    key = token("cases:write")
    seen = case.version
    send(client, "patch", "case", key, {"priority": 1, "version": seen}, case.reference)

    stale = send(client, "patch", "case", key, {"priority": 4, "version": seen}, case.reference)
    fresh = send(client, "patch", "case", key, {"priority": 3, "version": seen + 1}, case.reference)

    assert stale.status_code == 409
    assert "changed since" in stale.json()["detail"]
    assert fresh.status_code == 200
    case.refresh_from_db()
    assert case.priority == Priority.HIGH


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "detail"),
        ({"status": "lost"}, "status"),
        ({"priority": 9}, "priority"),
        ({"assignee": 999999}, "assignee"),
        ({"category": 999999}, "category"),
        ({"version": -1, "priority": 1}, "version"),
    ],
)
def test_bad_changes_are_refused_by_field_and_nothing_changes(client, case, data, field):
    key = token("cases:write")
    before = Case.objects.values().get(pk=case.pk)

    answer = send(client, "patch", "case", key, data, case.reference)

    assert answer.status_code == 400
    assert field in answer.json()
    assert Case.objects.values().get(pk=case.pk) == before
    assert not case.events.exists()


def test_an_agent_who_left_cannot_be_given_a_case(client, case):
    gone = AgentFactory(user__is_active=False)
    key = token("cases:write")

    answer = send(client, "patch", "case", key, {"assignee": gone.pk}, case.reference)

    assert answer.status_code == 400
    assert "assignee" in answer.json()


def test_the_category_and_unassigning_are_written(client, case, agent):
    Case.objects.filter(pk=case.pk).update(assignee=agent)
    category = CategoryFactory(name="Billing")
    key = token("cases:write")

    answer = send(
        client, "patch", "case", key, {"category": category.pk, "assignee": None}, case.reference
    )

    assert answer.status_code == 200
    assert (answer.json()["category"], answer.json()["assignee"]) == ("Billing", None)


def test_a_read_token_cannot_change_a_case(client, case):
    key = token("cases:read")

    answer = send(client, "patch", "case", key, {"priority": 4}, case.reference)

    assert answer.status_code == 403
    case.refresh_from_db()
    assert case.priority != Priority.URGENT


def test_an_unknown_case_is_404_but_only_to_a_token_with_the_scope(client, case):
    writer, other = token("cases:write"), token("contacts:write")

    unknown = send(client, "patch", "case", writer, {"priority": 1}, "HD-999999")
    unscoped = send(client, "patch", "case", other, {"priority": 1}, case.reference)

    assert unknown.status_code == 404
    assert unscoped.status_code == 403


def test_an_integration_replies_and_the_customer_is_mailed(client, case):
    key = token("cases:write")

    answer = send(
        client,
        "post",
        "case_replies",
        key,
        {"body": "Your order shipped today.", "status_after": "resolved"},
        case.reference,
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["author"] == "Shop"
    message = Message.objects.get(pk=answer.json()["id"])
    assert (message.author_agent, message.author_label, message.is_internal) == (
        None,
        "Shop",
        False,
    )
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert case.first_response_at == message.created_at
    assert case.assignee is None  # an integration does not take the case
    mail = OutboundEmail.objects.get(kind=OutboundEmail.Kind.REPLY)
    assert mail.to == case.contact.email
    assert "Your order shipped today." in mail.body_text
    assert "Shop," in mail.body_text
    replied = case.events.get(kind=CaseEvent.Kind.REPLIED)
    assert replied.actor.get_full_name() == "Shop (API)"


def test_a_reply_on_a_closed_case_is_refused_and_nothing_stored(client, case):
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    key = token("cases:write")

    answer = send(client, "post", "case_replies", key, {"body": "Hello"}, case.reference)

    assert answer.status_code == 400
    assert "closed" in answer.json()["detail"][0]
    assert not Message.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n "])
def test_an_empty_reply_is_refused(client, case, body):
    answer = send(
        client, "post", "case_replies", token("cases:write"), {"body": body}, case.reference
    )

    assert answer.status_code == 400
    assert "body" in answer.json()
    assert not Message.objects.exists()


def test_a_note_with_files_is_kept_for_agents_only(client, case):
    key = token("cases:write")

    answer = send(
        client,
        "post",
        "case_notes",
        key,
        {
            "body": "Order 1042 failed at payment.",
            "attachments": [
                SimpleUploadedFile("log.txt", b"payment declined"),
                SimpleUploadedFile("screen.png", PNG),
            ],
        },
        case.reference,
        multipart=True,
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["is_internal"] is True
    assert [row["name"] for row in answer.json()["attachments"]] == ["log.txt", "screen.png"]
    assert Attachment.objects.get(name="log.txt").file.read() == b"payment declined"
    assert not OutboundEmail.objects.exists()
    assert case.events.get(kind=CaseEvent.Kind.NOTE).actor.get_full_name() == "Shop (API)"


@pytest.mark.parametrize(
    "upload, says",
    [
        (SimpleUploadedFile("run.exe", b"MZ"), "cannot be attached"),
        (SimpleUploadedFile("photo.png", b"not a picture"), "not really a .png"),
        (SimpleUploadedFile("empty.txt", b""), "empty"),
    ],
)
def test_a_bad_file_refuses_the_whole_note(client, case, upload, says):
    answer = send(
        client,
        "post",
        "case_notes",
        token("cases:write"),
        {"body": "See the file", "attachments": [SimpleUploadedFile("ok.txt", b"fine"), upload]},
        case.reference,
        multipart=True,
    )

    assert answer.status_code == 400
    assert says in " ".join(answer.json()["attachments"])
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_too_many_files_are_refused(client, case, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    files = [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(3)]

    answer = send(
        client,
        "post",
        "case_notes",
        token("cases:write"),
        {"body": "Files", "attachments": files},
        case.reference,
        multipart=True,
    )

    assert answer.status_code == 400
    assert "at most 2" in answer.json()["attachments"][0]
    assert not Message.objects.exists()


def test_a_file_is_downloaded_only_through_its_own_case(client, case):
    key = token("cases:write", "cases:read")
    note = send(
        client,
        "post",
        "case_notes",
        key,
        {"body": "Log", "attachments": [SimpleUploadedFile("log.txt", b"payment declined")]},
        case.reference,
        multipart=True,
    ).json()
    file_id = note["attachments"][0]["id"]
    other = CaseFactory()

    mine = client.get(
        reverse("api:case_attachment", args=[case.reference, file_id]),
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    elsewhere = client.get(
        reverse("api:case_attachment", args=[other.reference, file_id]),
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == b"payment declined"
    assert mine["Content-Type"] == "application/octet-stream"
    assert elsewhere.status_code == 404


def test_an_agent_replies_by_the_desk_session_as_themself(client, case, agent):
    client.force_login(agent.user)

    answer = send(client, "post", "case_replies", None, {"body": "On it."}, case.reference)

    assert answer.status_code == 201
    assert answer.json()["author"] == "Ana Silva"
    case.refresh_from_db()
    assert case.assignee == agent  # as on the desk: replying takes an unassigned case


def test_a_session_write_needs_the_csrf_token(case, agent):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent.user)

    answer = send(browser, "post", "case_notes", None, {"body": "Note"}, case.reference)

    assert answer.status_code == 403
    assert not Message.objects.exists()


@pytest.mark.parametrize("size", [2, 12])
def test_a_case_is_read_in_the_same_queries_whatever_its_messages(client, case, size):
    key = token("cases:read")
    for n in range(size):
        message = MessageFactory(case=case, body=f"Message {n}")
        Attachment.objects.create(
            message=message, storage_key=f"k{n}", name=f"{n}.txt", size=1, content_type="text/plain"
        )
    client.get(reverse("api:case", args=[case.reference]), HTTP_AUTHORIZATION=f"Bearer {key}")

    with CaptureQueriesContext(connection) as queries:
        answer = client.get(
            reverse("api:case", args=[case.reference]), HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    assert len(answer.json()["messages"]) == size
    assert len(queries) == 4  # the token, the case, its messages, their files


def test_markup_in_a_reply_is_shown_as_text_on_the_desk(client, case, agent):
    key = token("cases:write")
    send(client, "post", "case_notes", key, {"body": "<script>alert(1)</script>"}, case.reference)
    client.force_login(agent.user)

    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_reply_past_the_length_limit_is_refused(client, case):
    answer = send(
        client, "post", "case_replies", token("cases:write"), {"body": "x" * 20_001}, case.reference
    )

    assert answer.status_code == 400
    assert "body" in answer.json()
    assert not Message.objects.exists()
