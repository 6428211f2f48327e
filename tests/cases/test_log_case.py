import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, Channel, Priority
from contacts.models import Contact
from tests.factories import CategoryFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def log(desk, **data):
    payload = {
        "channel": "phone",
        "priority": "2",
        "subject": "Cannot print invoices",
        "body": "Called at 10:05: the print button does nothing.",
    }
    payload.update(data)
    return desk.post(reverse("cases:new"), payload)


def test_lookup_finds_contacts_by_name_email_or_phone(desk):
    ContactFactory(name="Maria Garcia", email="maria@acme.example", phone="+1 555 0100")
    ContactFactory(name="John Smith")

    for query in ("maria", "ACME.example", "555 0100"):
        response = desk.get(reverse("cases:new"), {"q": query})
        assert [contact.name for contact in response.context["matches"]] == ["Maria Garcia"]


def test_agent_logs_a_phone_case_for_an_existing_contact_routed_to_the_owner(
    desk, agent, other_agent, django_capture_on_commit_callbacks, mailoutbox
):
    contact = ContactFactory(owner=other_agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = log(desk, contact=contact.pk, priority="3")

    case = Case.objects.get()
    assert response.url == reverse("cases:detail", args=[case.reference])
    assert (case.contact, case.channel, case.priority) == (contact, Channel.PHONE, Priority.HIGH)
    assert case.assignee == other_agent
    message = case.messages.get()
    assert (message.author_contact, message.channel) == (contact, Channel.PHONE)
    created = case.events.get(kind=CaseEvent.Kind.CREATED)
    assert created.actor == agent.user
    assert created.detail == f"Logged by Ana Silva from the phone of {contact.name}."
    assert mailoutbox[0].to == [contact.email]


def test_agent_logs_a_walk_in_case_for_a_new_contact(desk, agent):
    category = CategoryFactory(default_team=agent.team)

    log(
        desk,
        channel="walk_in",
        category=category.pk,
        new_name="Tom Becker",
        new_email="tom@example.com",
        new_phone="+49 30 1234",
    )

    contact = Contact.objects.get()
    assert (contact.name, contact.email, contact.phone) == (
        "Tom Becker",
        "tom@example.com",
        "+49 30 1234",
    )
    case = Case.objects.get()
    assert case.channel == Channel.WALK_IN
    assert case.assignee == agent
    assert contact.owner == agent


def test_a_new_contact_with_a_known_email_is_the_existing_contact(desk):
    existing = ContactFactory(email="tom@example.com", name="Tom Becker")

    log(desk, new_name="T. Becker", new_email="TOM@example.com")

    assert Contact.objects.count() == 1
    assert Case.objects.get().contact == existing


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({}, "new_name", "Choose a contact above"),
        ({"new_name": "Tom"}, "new_email", "needs an email"),
        ({"new_name": "Tom", "new_email": "tom@"}, "new_email", "Enter a valid email"),
        ({"contact": "99999"}, "contact", "Select a valid choice"),
        ({"contact": "x", "subject": ""}, "subject", "This field is required."),
        ({"new_name": "Tom", "new_email": "t@example.com", "channel": "web"}, "channel", "valid"),
        ({"new_name": "Tom", "new_email": "t@example.com", "body": ""}, "body", "required"),
        (
            {"new_name": "Tom", "new_email": "t@example.com", "subject": "a\nb"},
            "subject",
            "one line",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(desk, data, field, error):
    response = log(desk, **data)

    assert response.status_code == 200
    assert any(error in message for message in response.context["form"].errors[field])
    assert not Case.objects.exists()
    assert not Contact.objects.exists()


def test_log_page_needs_an_agent(client, non_agent):
    assert client.get(reverse("cases:new")).status_code == 302
    client.force_login(non_agent)
    assert client.get(reverse("cases:new")).status_code == 403
    assert client.post(reverse("cases:new")).status_code == 403
