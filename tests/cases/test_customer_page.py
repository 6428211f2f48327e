import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import customer, desk, links
from cases.attachments import attachments_store
from cases.models import Case, CaseAccessToken, CaseEvent, CaseRating, Message, Status
from tests.factories import AgentFactory, CaseFactory, ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://help\.example\.com(/c/[\w-]+/)")


@pytest.fixture
def case(agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team, subject="Printer on fire")
    MessageFactory(case=case, body="My printer is on fire.")
    Message.objects.create(
        case=case, author_agent=agent, body="Secret: customer is a VIP.", is_internal=True
    )
    Message.objects.create(case=case, author_agent=agent, body="The fire brigade is coming.")
    return case


def link_path(case) -> str:
    return LINK.match(links.access_link_create(case=case)).group(1)


def open_page(client, case):
    response = client.get(link_path(case))
    assert response.status_code == 302
    return client.get(response.url)


def test_the_link_opens_the_case_page_and_drops_the_token_from_the_url(client, case):
    path = link_path(case)

    response = client.get(path)

    assert response.url == f"/c/case/{case.reference}/"
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response.url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert "The fire brigade is coming." in html
    assert "My printer is on fire." in html
    assert "Secret: customer is a VIP." not in html


def test_tokens_are_long_random_and_stored_only_as_a_hash(case):
    path = link_path(case)
    token = path.split("/")[2]

    assert len(token) >= 43  # 32 random bytes
    stored = CaseAccessToken.objects.get()
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


@pytest.mark.parametrize(
    "path",
    ["/c/not-a-token/", "/c/" + "A" * 43 + "/", "/c/" + "x" * 500 + "/", "/c/%00/"],
)
def test_wrong_tokens_give_404(client, case, path):
    assert client.get(path).status_code == 404


def test_an_expired_link_gives_the_same_404(client, case, settings):
    path = link_path(case)

    with time_machine.travel(timezone.now() + timedelta(days=settings.CUSTOMER_LINK_DAYS + 1)):
        assert client.get(path).status_code == 404


def test_a_revoked_link_gives_404_and_ends_the_session_access(client, case, agent):
    path = link_path(case)
    page_url = client.get(path).url
    assert client.get(page_url).status_code == 200

    links.access_links_revoke(case=case, actor=agent.user)

    assert client.get(path).status_code == 404
    assert client.get(page_url).status_code == 404
    assert case.events.filter(kind=CaseEvent.Kind.LINK).exists()


def test_another_cases_reference_gives_the_same_404(client, case):
    other = CaseFactory(contact=case.contact)
    client.get(link_path(case))

    assert client.get(f"/c/case/{other.reference}/").status_code == 404
    assert client.get("/c/case/HD-999999/").status_code == 404
    assert client.get("/c/case/nonsense/").status_code == 404


def test_without_the_link_the_page_is_404(client, case):
    assert client.get(f"/c/case/{case.reference}/").status_code == 404


def test_customer_replies_with_an_attachment_and_the_case_opens_again(client, case, agent):
    case.status = Status.WAITING
    case.save()
    open_page(client, case)

    response = client.post(
        reverse("cases:customer_reply", args=[case.reference]),
        {"body": "Here is a photo.", "attachments": [SimpleUploadedFile("fire.txt", b"smoke")]},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.OPEN
    message = case.messages.get(body="Here is a photo.")
    assert message.author_contact == case.contact
    assert message.attachments.get().name == "fire.txt"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"body": ""}, "This field is required."),
        ({"body": "x" * 20_001}, "at most 20000 characters"),
        ({"body": "hi", "attachments": [SimpleUploadedFile("a.exe", b"MZ")]}, "cannot be attached"),
    ],
)
def test_bad_replies_are_refused_and_nothing_stored(client, case, data, error):
    open_page(client, case)
    before = Message.objects.count()

    response = client.post(reverse("cases:customer_reply", args=[case.reference]), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Message.objects.count() == before


def test_customer_attachments_download_only_from_their_case(client, case, agent):
    public = Message.objects.create(case=case, author_agent=agent, body="See attached.")
    [shared] = attachments_store(
        message=public,
        uploads=[SimpleUploadedFile("steps.txt", b"1. Run")],
        content_types=["text/plain"],
    )
    note = case.messages.get(is_internal=True)
    [secret] = attachments_store(
        message=note, uploads=[SimpleUploadedFile("vip.txt", b"VIP")], content_types=["text/plain"]
    )
    open_page(client, case)

    ok = client.get(reverse("cases:customer_attachment", args=[case.reference, shared.pk]))
    hidden = client.get(reverse("cases:customer_attachment", args=[case.reference, secret.pk]))

    assert ok.status_code == 200
    assert ok["Content-Disposition"] == 'attachment; filename="steps.txt"'
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert hidden.status_code == 404
    assert Client().get(ok.request["PATH_INFO"]).status_code == 404


def test_customer_marks_the_case_resolved_and_reopens_it(client, case):
    open_page(client, case)

    client.post(reverse("cases:customer_resolve", args=[case.reference]))
    case.refresh_from_db()
    assert case.status == Status.RESOLVED

    client.post(reverse("cases:customer_reopen", args=[case.reference]))
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()


def test_reopening_goes_to_the_backup_while_the_assignee_is_away(client, case, agent):
    backup = AgentFactory(team=agent.team)
    agent.backup = backup
    agent.away_until = timezone.now() + timedelta(days=2)
    agent.save()
    case.status = Status.RESOLVED
    case.save()
    open_page(client, case)

    client.post(reverse("cases:customer_reopen", args=[case.reference]))

    case.refresh_from_db()
    assert case.assignee == backup


def test_resolved_email_carries_rating_links_that_change_nothing_until_confirmed(
    client, case, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.case_update(
            case=case,
            actor=agent.user,
            seen_version=case.version,
            status=Status.RESOLVED,
            priority=case.priority,
            category=None,
            assignee=agent,
        )
    [mail] = mailoutbox
    assert "Is there anything else we can do?" in mail.body
    four = re.search(r"4: https://help\.example\.com(\S+)", mail.body).group(1)

    # A mail scanner (or the customer) follows the link: the form opens with 4 chosen.
    page = client.get(client.get(four).url)
    assert page.context["rating_form"].initial == {"score": 4}
    assert not CaseRating.objects.exists()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED

    client.post(
        reverse("cases:customer_rate", args=[case.reference]),
        {"score": "4", "comment": "Quick and kind."},
    )
    rating = CaseRating.objects.get()
    assert (rating.score, rating.comment, rating.agent) == (4, "Quick and kind.", agent)


@pytest.mark.parametrize("score", ["0", "6", "x", ""])
def test_bad_ratings_are_refused(client, case, score):
    case.status = Status.RESOLVED
    case.save()
    open_page(client, case)

    response = client.post(reverse("cases:customer_rate", args=[case.reference]), {"score": score})

    assert response.status_code == 400
    assert not CaseRating.objects.exists()


def test_an_open_case_cannot_be_rated(client, case):
    open_page(client, case)

    response = client.post(reverse("cases:customer_rate", args=[case.reference]), {"score": "5"})

    assert response.status_code == 400
    assert not CaseRating.objects.exists()


def test_customer_side_posts_need_csrf(case):
    browser = Client(enforce_csrf_checks=True)
    browser.get(browser.get(link_path(case)).url)

    response = browser.post(reverse("cases:customer_resolve", args=[case.reference]))

    assert response.status_code == 403


def test_a_reply_to_a_closed_case_opens_a_follow_up(client, case):
    case.status = Status.CLOSED
    case.save()
    open_page(client, case)

    response = client.post(
        reverse("cases:customer_reply", args=[case.reference]), {"body": "It is back."}
    )

    follow_up = case.contact.cases.exclude(pk=case.pk).get()
    assert follow_up.subject == f"Follow-up to {case.reference}: Printer on fire"
    assert response.url == f"/c/case/{follow_up.reference}/"
    assert client.get(response.url).status_code == 200


def test_link_request_answers_the_same_for_known_and_unknown_addresses(
    client, case, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(
            reverse("cases:customer_link_request"), {"email": "MARIA@customer.example"}
        )
        unknown = client.post(
            reverse("cases:customer_link_request"), {"email": "who@nowhere.example"}
        )

    def without_address(response):
        html = response.content.decode()
        return html.replace("maria@customer.example", "E").replace("who@nowhere.example", "E")

    assert without_address(known) == without_address(unknown)
    [mail] = mailoutbox
    assert mail.to == ["maria@customer.example"]
    path = LINK.search(mail.body).group(1)
    assert client.get(path).status_code == 302


def test_link_requests_are_rate_limited(client, case, settings):
    settings.LINK_REQUESTS_PER_HOUR = 2
    for _ in range(2):
        client.post(reverse("cases:customer_link_request"), {"email": "maria@customer.example"})

    response = client.post(
        reverse("cases:customer_link_request"), {"email": "maria@customer.example"}
    )

    assert response.status_code == 429


def test_resolved_cases_close_automatically(case, settings):
    settings.AUTO_CLOSE_DAYS = 7
    case.status = Status.RESOLVED
    case.resolved_at = timezone.now() - timedelta(days=8)
    case.save()
    recent = CaseFactory(status=Status.RESOLVED, resolved_at=timezone.now() - timedelta(days=2))

    assert customer.auto_close() == 1

    case.refresh_from_db()
    recent.refresh_from_db()
    assert case.status == Status.CLOSED
    assert recent.status == Status.RESOLVED


def test_agent_revokes_links_from_the_workspace(client, case, agent):
    path = link_path(case)
    client.force_login(agent.user)

    client.post(reverse("cases:revoke_links", args=[case.reference]))

    assert Client().get(path).status_code == 404


def test_customer_page_runs_constant_queries(client, case, assert_queries):
    MessageFactory.create_batch(50, case=case)
    open_page(client, case)
    # session, access token with case/contact/assignee, messages with authors, attachments
    with assert_queries(4):
        assert client.get(f"/c/case/{case.reference}/").status_code == 200


@pytest.mark.parametrize(
    "status, words",
    [
        (Status.NEW, "Received"),
        (Status.OPEN, "We&#x27;re on it"),
        (Status.WAITING, "Awaiting your reply"),
        (Status.RESOLVED, "Solved"),
        (Status.CLOSED, "Closed"),
    ],
)
def test_the_status_is_said_in_the_customers_words(client, case, status, words):
    Case.objects.filter(pk=case.pk).update(status=status)

    page = open_page(client, case).content.decode()

    status_badge = page[page.index('id="case-status"') :][:200]
    assert words in status_badge


def test_no_rating_is_asked_before_anyone_has_answered(client, case):
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED, first_response_at=None)

    assert 'id="rating-form"' not in open_page(client, case).content.decode()


def test_a_rating_is_asked_once_someone_has_answered(client, case):
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED, first_response_at=timezone.now())

    assert 'id="rating-form"' in open_page(client, case).content.decode()


def test_web_and_mail_addresses_in_messages_are_safe_links(client, case):
    Message.objects.create(
        case=case,
        author_contact=case.contact,
        body="See https://shop.example/order/4471 or mail me at maria@customer.example "
        "<script>alert(1)</script> javascript:alert(2)",
    )

    page = open_page(client, case).content.decode()

    assert (
        '<a href="https://shop.example/order/4471" rel="noopener nofollow">'
        "https://shop.example/order/4471</a>"
    ) in page
    assert '<a href="mailto:maria@customer.example">' in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page


def test_after_an_escalation_the_customer_still_sees_their_owner(client, case, agent, team):
    lead = AgentFactory(team=team, user__first_name="Lena", user__username="lena")
    team.lead = lead
    team.save()
    desk.case_escalate(
        case=case, actor=agent.user, seen_version=case.version, reason="Needs a refund approval."
    )

    page = open_page(client, case).content.decode()

    assert "Ana is looking after your request." in page
    assert "Lena" not in page


def test_my_requests_lists_the_cases_this_browser_follows(client, case, agent):
    other = CaseFactory(contact=case.contact, assignee=agent, subject="Invoice question")
    open_page(client, case)
    open_page(client, other)

    page = client.get(reverse("cases:customer_link_request")).content.decode()

    listed = page[page.index('id="my-requests"') :]
    assert listed.index(other.reference) < listed.index(case.reference)  # newest first
    assert "Printer on fire" in listed and "Invoice question" in listed


def test_my_requests_leaves_out_a_case_whose_link_was_revoked(client, case, agent):
    open_page(client, case)
    links.access_links_revoke(case=case, actor=agent.user)

    page = client.get(reverse("cases:customer_link_request")).content.decode()

    assert 'id="my-requests"' not in page


@pytest.mark.parametrize("recommend, stored", [("", None), ("0", 0), ("10", 10)])
def test_the_recommend_question_is_optional_from_0_to_10(client, case, recommend, stored):
    case.status = Status.RESOLVED
    case.save()
    open_page(client, case)

    response = client.post(
        reverse("cases:customer_rate", args=[case.reference]),
        {"score": "4", "recommend": recommend},
    )

    assert response.status_code == 302
    assert CaseRating.objects.get().recommend == stored


@pytest.mark.parametrize("recommend", ["11", "-1", "nine"])
def test_a_recommend_answer_out_of_range_is_refused_with_the_rating(client, case, recommend):
    case.status = Status.RESOLVED
    case.first_response_at = case.created_at  # answered: the rating form shows
    case.save()
    open_page(client, case)

    response = client.post(
        reverse("cases:customer_rate", args=[case.reference]),
        {"score": "4", "recommend": recommend, "comment": "Kept"},
    )

    assert response.status_code == 400
    assert not CaseRating.objects.exists()
    assert "Kept" in response.text  # what they typed comes back
