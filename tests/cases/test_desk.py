import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.attachments import attachments_store
from tests.factories import (
    AgentFactory,
    CaseEventFactory,
    CaseFactory,
    MessageFactory,
)

pytestmark = pytest.mark.django_db


def desk_urls(case, attachment):
    return [
        reverse("cases:queue"),
        reverse("cases:detail", args=[case.reference]),
        reverse("cases:attachment", args=[attachment.pk]),
    ]


@pytest.fixture
def case_with_attachment(agent):
    case = CaseFactory(assignee=agent)
    message = MessageFactory(case=case)
    [attachment] = attachments_store(
        message=message,
        uploads=[SimpleUploadedFile("notes.txt", b"The printer is on fire.")],
        content_types=["text/plain"],
    )
    return case, attachment


def test_anonymous_users_are_sent_to_login_from_every_desk_view(client, case_with_attachment):
    for url in desk_urls(*case_with_attachment):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(f"{reverse('login')}?next="), url


def test_logged_in_non_agents_get_403_from_every_desk_view(client, non_agent, case_with_attachment):
    client.force_login(non_agent)
    for url in desk_urls(*case_with_attachment):
        assert client.get(url).status_code == 403, url


def test_deactivated_agent_cannot_use_the_desk(client, agent, case_with_attachment):
    agent.user.is_active = False
    agent.user.save()
    client.force_login(agent.user)

    response = client.get(reverse("cases:queue"))

    assert response.status_code == 302


def test_agent_login_leads_to_the_queue(client, agent):
    response = client.post(
        reverse("login"), {"username": "ana", "password": "secret-password"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("cases:queue")
    assert "Queue" in response.content.decode()


def test_case_page_shows_messages_events_contact_and_attachments(
    client, agent, case_with_attachment
):
    case, attachment = case_with_attachment
    client.force_login(agent.user)

    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()

    assert case.subject in page
    assert case.messages.get().body in page
    assert case.contact.email in page
    assert reverse("cases:attachment", args=[attachment.pk]) in page


@pytest.mark.parametrize(("messages", "events"), [(3, 3), (300, 300)])
def test_case_page_runs_constant_queries(client, agent, messages, events, assert_queries):
    case = CaseFactory(assignee=agent)
    MessageFactory.create_batch(messages, case=case)
    MessageFactory.create_batch(3, case=case, author_contact=None, author_agent=agent)
    CaseEventFactory.create_batch(events, case=case)
    client.force_login(agent.user)
    # as in tests/test_page_queries.py: 14 the first time (the writing help, the timeline,
    # the select lists, the SLA policies and the suggested articles read, then kept in the
    # cache), 4 after
    with assert_queries(14):
        assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 200
    with assert_queries(4):
        assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 200


@pytest.mark.parametrize("reference", ["HD-999999", "nonsense", "HD-", "1 OR 1=1"])
def test_unknown_references_are_404(client, agent, reference):
    client.force_login(agent.user)

    assert client.get(reverse("cases:detail", args=[reference])).status_code == 404


def test_attachment_downloads_as_a_file_never_rendered(client, agent, case_with_attachment):
    _, attachment = case_with_attachment
    client.force_login(AgentFactory().user)  # by default every agent sees every case

    response = client.get(reverse("cases:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"The printer is on fire."
    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"


def test_unknown_attachment_is_404(client, agent):
    client.force_login(agent.user)

    assert client.get(reverse("cases:attachment", args=[424242])).status_code == 404


def test_attachments_are_stored_outside_public_paths(case_with_attachment, settings):
    _, attachment = case_with_attachment

    assert attachment.file.path.startswith(str(settings.ATTACHMENT_ROOT))
    assert not attachment.file.path.startswith(str(settings.STATIC_ROOT))
    assert "notes.txt" not in attachment.file.name


def test_desk_views_refuse_post(client, agent, case_with_attachment):
    client.force_login(agent.user)
    case, _ = case_with_attachment

    assert client.post(reverse("cases:queue")).status_code == 405
    assert client.post(reverse("cases:detail", args=[case.reference])).status_code == 405
