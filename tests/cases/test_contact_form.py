import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Attachment, Case, CaseEvent, Channel, Message
from contacts.models import Contact
from outbox.models import OutboundEmail
from tests.factories import CategoryFactory, ContactFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def form_data(**overrides):
    data = {
        "name": "Maria Garcia",
        "email": "maria@customer.example",
        "subject": "My order has not arrived",
        "message": "I ordered ten days ago and the tracking has not moved.",
        "submission_token": "0b6a7d4e-9a8f-4a51-8a39-5f3f6f1c2b11",
    }
    data.update(overrides)
    return data


def post(client, **overrides):
    return client.post(reverse("cases:contact"), form_data(**overrides))


def assert_nothing_stored():
    assert Case.objects.count() == 0
    assert Contact.objects.count() == 0
    assert Message.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_form_page_shows_the_fields(client):
    response = client.get(reverse("cases:contact"))

    assert response.status_code == 200
    for field in ("name", "email", "subject", "category", "message", "attachments"):
        assert f'name="{field}"' in response.content.decode()


def test_subject_can_be_prefilled_from_the_link(client):
    response = client.get(reverse("cases:contact"), {"subject": "Refund for order 4471"})

    assert 'value="Refund for order 4471"' in response.content.decode()


def test_valid_submission_opens_a_routed_case_and_shows_the_reference(
    client, agent, django_capture_on_commit_callbacks, mailoutbox
):
    category = CategoryFactory(default_team=agent.team)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:contact"),
            form_data(
                category=category.pk,
                attachments=[
                    SimpleUploadedFile("photo.png", PNG),
                    SimpleUploadedFile("receipt.pdf", PDF),
                ],
            ),
        )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == f"/contact/thanks/{case.reference}/"
    assert case.subject == "My order has not arrived"
    assert case.channel == Channel.WEB
    assert case.assignee == agent
    assert case.contact.owner == agent
    message = case.messages.get()
    assert message.author_contact == case.contact
    assert sorted(message.attachments.values_list("name", "content_type")) == [
        ("photo.png", "image/png"),
        ("receipt.pdf", "application/pdf"),
    ]
    assert [event.kind for event in case.events.all()] == ["created", "routed"]
    assert len(mailoutbox) == 1

    thanks = client.get(response.url)
    assert case.reference in thanks.content.decode()
    assert "What happens next" in thanks.content.decode()


def test_thanks_page_is_only_for_the_browser_that_submitted(client, agent):
    post(client)
    case = Case.objects.get()

    client.cookies.clear()
    response = client.get(reverse("cases:contact_thanks", args=[case.reference]))

    assert response.status_code == 404


def test_existing_contact_is_reused_and_their_name_kept(client, agent):
    contact = ContactFactory(name="Maria Garcia", email="Maria@Customer.example", owner=agent)

    post(client, name="Someone Else", email="maria@CUSTOMER.example")

    assert Contact.objects.count() == 1
    contact.refresh_from_db()
    assert contact.name == "Maria Garcia"
    assert Case.objects.get().contact == contact


def test_posting_the_same_form_twice_makes_one_case(client, agent):
    first = post(client)
    second = post(client)

    assert Case.objects.count() == 1
    assert first.url == second.url


def test_a_contact_created_by_another_request_a_moment_ago_gets_the_case(
    client, agent, monkeypatch
):
    # Two forms from a new address at once: the other request inserts the contact after
    # this one looked it up. This one's insert fails, and it tries once more.
    theirs = ContactFactory(email="Maria@Customer.example")
    lookup = Contact.objects.with_email
    misses = iter([True])
    monkeypatch.setattr(
        Contact.objects,
        "with_email",
        lambda email: Contact.objects.none() if next(misses, False) else lookup(email),
    )

    response = post(client)

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.contact == theirs
    assert Contact.objects.count() == 1
    assert case.messages.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_a_new_form_makes_a_new_case(client, agent):
    post(client)
    post(client, submission_token="9d1f2c1e-0000-4000-8000-000000000001")

    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"subject": "   "}, "subject", "This field is required."),
        ({"message": ""}, "message", "This field is required."),
        ({"email": "maria@@example"}, "email", "Enter a valid email address."),
        ({"email": "not an email"}, "email", "Enter a valid email address."),
        ({"subject": "x" * 201}, "subject", "at most 200 characters"),
        ({"message": "x" * 20_001}, "message", "at most 20000 characters"),
        ({"subject": "Hello\r\nBcc: victim@example.com"}, "subject", "must be on one line"),
        ({"name": "Maria\nGarcia"}, "name", "must be on one line"),
        ({"category": "999999"}, "category", "Select a valid choice."),
        ({"submission_token": "not-a-uuid"}, "submission_token", "Enter a valid UUID."),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(client, agent, overrides, field, error):
    response = post(client, **overrides)

    assert response.status_code == 200
    assert any(error in message for message in response.context["form"].errors[field])
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, ".exe cannot be attached"),
        ("script.js", b"alert(1)", ".js cannot be attached"),
        ("page.html", b"<html><script>alert(1)</script></html>", ".html cannot be attached"),
        ("noextension", b"hello", "files without an extension cannot be attached"),
        ("photo.png", b"MZ\x90\x00" + b"\x00" * 60, "is not really a .png file"),
        ("invoice.pdf", PNG, "is not really a .pdf file"),
        ("notes.txt", b"\x00\x01\x02binary", "does not contain text"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_disallowed_attachments_are_refused(client, agent, name, content, error):
    response = post(client, attachments=[SimpleUploadedFile(name, content)])

    assert response.status_code == 200
    assert any(error in message for message in response.context["form"].errors["attachments"])
    assert_nothing_stored()


def test_attachment_over_10_mb_is_refused(client, agent):
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (10 * 1024 * 1024))

    response = post(client, attachments=[big])

    assert "files may be at most 10.0\xa0MB" in " ".join(
        response.context["form"].errors["attachments"]
    )
    assert_nothing_stored()


def test_more_than_five_attachments_are_refused(client, agent):
    files = [SimpleUploadedFile(f"note{n}.txt", b"hello") for n in range(6)]

    response = post(client, attachments=files)

    assert response.context["form"].errors["attachments"] == ["Attach at most 5 files."]
    assert_nothing_stored()


def test_five_attachments_are_accepted(client, agent):
    files = [SimpleUploadedFile(f"note{n}.txt", "héllo".encode()) for n in range(5)]

    post(client, attachments=files)

    assert Attachment.objects.count() == 5


def test_script_in_fields_is_stored_as_text_and_shown_escaped(client, agent):
    script = "<script>alert('x')</script>"
    post(client, name=f"Eve {script}", subject=f"Hi {script}", message=f"Body {script}")
    case = Case.objects.get()
    assert case.subject == f"Hi {script}"

    client.force_login(agent.user)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()

    assert script not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_filled_honeypot_stores_nothing_and_gives_the_form_back_with_the_message(client, agent):
    response = post(client, website="http://spam.example")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Empty this field, then send the form again." in page
    assert "I ordered ten days ago and the tracking has not moved." in page
    assert_nothing_stored()


def test_too_many_posts_from_one_address_get_429(client, agent, settings):
    settings.CONTACT_RATE_LIMIT_PER_HOUR = 2
    post(client, submission_token="9d1f2c1e-0000-4000-8000-000000000001")
    post(client, submission_token="9d1f2c1e-0000-4000-8000-000000000002")

    response = post(client, submission_token="9d1f2c1e-0000-4000-8000-000000000003")

    assert response.status_code == 429
    assert Case.objects.count() == 2
    page = response.content.decode()
    assert 'id="too-many"' in page
    assert "I ordered ten days ago and the tracking has not moved." in page  # nothing lost


def test_rate_limit_counts_per_address(client, agent, settings):
    settings.CONTACT_RATE_LIMIT_PER_HOUR = 1
    post(client, submission_token="9d1f2c1e-0000-4000-8000-000000000001")

    response = client.post(
        reverse("cases:contact"),
        form_data(submission_token="9d1f2c1e-0000-4000-8000-000000000002"),
        REMOTE_ADDR="10.9.8.7",
    )

    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_form_needs_csrf(agent):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("cases:contact"), form_data())

    assert response.status_code == 403
    assert_nothing_stored()


def test_routing_reason_is_on_the_timeline(client, agent):
    CategoryFactory(default_team=agent.team)
    post(client)

    event = CaseEvent.objects.get(kind=CaseEvent.Kind.ROUTED)
    assert "Ana Silva" in event.detail


def test_opening_a_case_writes_its_row_once(client, agent):
    with CaptureQueriesContext(connection) as queries:
        assert post(client).status_code == 302

    writes = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(('INSERT INTO "cases_case" ', 'UPDATE "cases_case" '))
    ]
    assert len(writes) == 1 and writes[0].startswith("INSERT"), writes
    case = Case.objects.get()
    assert (case.assignee, case.version) == (agent, 2)  # routed and timed before the insert
