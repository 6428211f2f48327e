"""A manager downloads everything held about a contact, or erases it; both audited."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.log import Action
from audit.models import AuditEntry
from cases.attachments import attachments_store
from cases.links import access_link_create, access_token_find
from cases.models import Attachment, Case, CaseRating, Message, Status
from contacts.models import Contact
from outbox.models import OutboundEmail
from reports.rollup import rollup_rebuild
from tests.factories import CaseFactory, ContactFactory, MessageFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(agent):
    """Maria of Acme: two cases, messages, a note, a file, a rating, a link, mail."""
    maria = ContactFactory(
        name="Maria Garcia",
        email="maria@acme.example",
        phone="+34 600 111 222",
        organization=OrganizationFactory(name="Acme"),
        owner=agent,
    )
    now = timezone.now()
    solved = CaseFactory(
        contact=maria,
        subject="Printer on fire",
        assignee=agent,
        team=agent.team,
        status=Status.RESOLVED,
        created_at=now - timedelta(days=2),
        resolved_at=now - timedelta(days=1),
    )
    message = MessageFactory(case=solved, author_contact=maria, body="It smokes, Maria")
    MessageFactory(case=solved, author_agent=agent, author_contact=None, body="On my way")
    MessageFactory(
        case=solved, author_agent=agent, author_contact=None, body="She is upset", is_internal=True
    )
    attachments_store(
        message=message,
        uploads=[SimpleUploadedFile("photo.txt", b"smoke picture")],
        content_types=["text/plain"],
    )
    CaseRating.objects.create(case=solved, agent=agent, score=5, comment="Ana was great")
    open_case = CaseFactory(contact=maria, subject="Invoice for Maria Garcia", assignee=agent)
    access_link_create(case=open_case)
    OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        to="maria@acme.example",
        subject="We got your message",
        body_text="Dear Maria",
        message_id_header="<ack-1@desk.example>",
    )
    CaseFactory(subject="Someone else's", contact__name="Ben Okafor")
    return maria


def export(client, contact):
    response = client.post(reverse("contacts:export", args=[contact.pk]))
    assert response.status_code == 200, response.status_code
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_manager_downloads_everything_held_about_a_contact(client, manager, maria):
    client.force_login(manager.user)

    zipped = export(client, maria)

    document = json.loads(zipped.read("contact.json"))
    assert document["contact"]["email"] == "maria@acme.example"
    assert document["contact"]["organization"] == "Acme"
    subjects = [case["subject"] for case in document["cases"]]
    assert subjects == ["Printer on fire", "Invoice for Maria Garcia"]
    solved = document["cases"][0]
    assert [m["body"] for m in solved["messages"]] == [
        "It smokes, Maria",
        "On my way",
        "She is upset",
    ]
    assert [m["internal_note"] for m in solved["messages"]] == [False, False, True]
    assert solved["rating"]["comment"] == "Ana was great"
    [file] = solved["messages"][0]["attachments"]
    assert zipped.read(file["file"]) == b"smoke picture"
    assert "Ben Okafor" not in zipped.read("contact.json").decode()
    (entry,) = AuditEntry.objects.filter(action=Action.CONTACT_EXPORTED)
    assert (entry.actor_name, entry.target) == ("maya", f"contact #{maria.pk}")
    assert "Maria" not in entry.target + entry.detail


def test_an_agent_who_is_not_a_manager_cannot_export_or_erase(client, agent, maria):
    client.force_login(agent.user)

    assert client.post(reverse("contacts:export", args=[maria.pk])).status_code == 403
    assert client.get(reverse("contacts:erase", args=[maria.pk])).status_code == 403
    erase = client.post(reverse("contacts:erase", args=[maria.pk]), {"confirm": maria.email})
    assert erase.status_code == 403
    assert Contact.objects.get(pk=maria.pk).name == "Maria Garcia"
    assert not AuditEntry.objects.filter(action=Action.CONTACT_EXPORTED).exists()


def test_export_is_a_post(client, manager, maria):
    client.force_login(manager.user)

    assert client.get(reverse("contacts:export", args=[maria.pk])).status_code == 405


@pytest.mark.parametrize("typed", ["", "maria@acme", "someone@else.example"])
def test_erasure_asks_for_their_address_and_does_nothing_without_it(client, manager, maria, typed):
    client.force_login(manager.user)
    page = client.get(reverse("contacts:erase", args=[maria.pk]))

    answer = client.post(reverse("contacts:erase", args=[maria.pk]), {"confirm": typed})

    assert page.status_code == 200 and "2 cases" in page.content.decode()
    assert answer.status_code == 400
    assert Contact.objects.get(pk=maria.pk).name == "Maria Garcia"
    assert Message.objects.filter(body="It smokes, Maria").exists()
    assert not AuditEntry.objects.filter(action=Action.CONTACT_ERASED).exists()


def report_figures(client):
    rollup_rebuild()
    report = client.get("/desk/reports/?period=30").context["report"]
    return (dict(report.current.values), dict(report.before.values))


def test_erasure_removes_what_names_them_and_keeps_the_figures(
    client, manager, agent, maria, django_capture_on_commit_callbacks
):
    client.force_login(manager.user)
    file_name = Attachment.objects.get().file.name
    storage = Attachment._meta.get_field("file").storage
    token = access_link_create(case=Case.objects.get(subject="Printer on fire")).rsplit("/", 2)[-2]
    before = report_figures(client)

    assert storage.exists(file_name)
    with django_capture_on_commit_callbacks(execute=True):  # the files go once it commits
        answer = client.post(
            reverse("contacts:erase", args=[maria.pk]), {"confirm": "MARIA@acme.example "}
        )

    assert answer.status_code == 302
    maria.refresh_from_db()
    assert maria.name == f"Erased contact {maria.pk}"
    assert maria.email == f"erased-{maria.pk}@erased.invalid"
    assert (maria.phone, maria.organization, maria.erased_at is not None) == ("", None, True)
    cases = Case.objects.filter(contact=maria)
    assert sorted(cases.values_list("subject", flat=True)) == ["(erased)", "(erased)"]
    assert set(Message.objects.filter(case__contact=maria).values_list("body", flat=True)) == {""}
    assert not Attachment.objects.exists() and not storage.exists(file_name)
    rating = CaseRating.objects.get()
    assert (rating.score, rating.comment) == (5, "")
    assert access_token_find(token) is None
    mail = OutboundEmail.objects.get()
    assert (mail.to, mail.body_text, mail.failed_at is not None) == (maria.email, "", True)
    assert Case.objects.filter(subject="Someone else's").exists()
    assert report_figures(client) == before
    (entry,) = AuditEntry.objects.filter(action=Action.CONTACT_ERASED)
    assert (entry.actor_name, entry.target) == ("maya", f"contact #{maria.pk}")
    assert "Maria" not in entry.target + entry.detail
    page = client.get(reverse("contacts:detail", args=[maria.pk])).content.decode()
    assert "Maria" not in page and "Erased on" in page


def test_an_erased_contact_is_not_found_by_their_old_name(client, manager, agent, maria):
    client.force_login(manager.user)
    client.post(reverse("contacts:erase", args=[maria.pk]), {"confirm": maria.email})
    client.force_login(agent.user)

    queue = client.get(reverse("cases:queue"), {"q": "maria", "status": ["new", "open"]})
    directory = client.get(reverse("contacts:directory"), {"q": "maria"})

    assert list(queue.context["page"]) == []
    assert list(directory.context["page"]) == []


def test_erasing_twice_changes_nothing_more(client, manager, maria):
    client.force_login(manager.user)
    client.post(reverse("contacts:erase", args=[maria.pk]), {"confirm": maria.email})

    again = client.get(reverse("contacts:erase", args=[maria.pk]))

    assert again.status_code == 302
    assert AuditEntry.objects.filter(action=Action.CONTACT_ERASED).count() == 1
