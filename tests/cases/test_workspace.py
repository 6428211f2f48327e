import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import CannedAnswer, Case, CaseEvent, Message, Phrase, Status
from outbox.models import OutboundEmail
from tests.factories import (
    CaseFactory,
    CategoryFactory,
    ContactFactory,
    MessageFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team, subject="Printer on fire")
    MessageFactory(case=case, body="My printer is on fire.")
    return case


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def post(desk, case, view, **data):
    data.setdefault("seen_version", Case.objects.get(pk=case.pk).version)
    return desk.post(reverse(f"cases:{view}", args=[case.reference]), data)


def test_reply_is_emailed_after_commit_and_sets_first_response(
    desk, case, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            desk,
            case,
            "reply",
            action="reply",
            body="Hi Maria, the fire brigade is on its way.",
            attachments=[SimpleUploadedFile("steps.txt", b"1. Leave the room.")],
        )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.first_response_at is not None
    assert case.status == Status.WAITING
    reply = case.messages.get(author_agent__isnull=False)
    assert not reply.is_internal
    [mail] = mailoutbox
    assert mail.to == ["maria@customer.example"]
    assert mail.subject == f"[{case.reference}] Re: Printer on fire"
    assert mail.body.startswith("Hi Maria, the fire brigade is on its way.")
    assert mail.attachments[0][0] == "steps.txt"
    assert "Auto-Submitted" not in mail.extra_headers
    assert mail.extra_headers["Message-ID"] == reply.message_id
    assert {event.kind for event in case.events.all()} >= {"replied", "status"}


def test_a_later_reply_keeps_the_first_response_time(desk, case):
    post(desk, case, "reply", action="reply", body="First answer.")
    first = Case.objects.get(pk=case.pk).first_response_at

    post(desk, case, "reply", action="reply", body="Second answer.", status_after="open")

    case.refresh_from_db()
    assert case.first_response_at == first
    assert case.status == Status.OPEN


def test_internal_note_is_never_emailed(desk, case, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        post(desk, case, "reply", action="note", body="Customer sounded upset; call back.")

    note = Message.objects.get(is_internal=True)
    assert note.body == "Customer sounded upset; call back."
    assert mailoutbox == []
    case.refresh_from_db()
    assert case.first_response_at is None
    page = desk.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "Internal note" in page


def test_empty_reply_is_refused(desk, case):
    response = post(desk, case, "reply", action="reply", body="   ")

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_reply_to_a_closed_case_is_refused(desk, case):
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)

    response = post(desk, case, "reply", action="reply", body="Hello?")

    assert response.status_code == 400
    assert "is closed. Reopen it" in response.content.decode()
    assert not Message.objects.filter(author_agent__isnull=False).exists()


def test_canned_answer_is_filled_in_for_this_case(desk, case, agent):
    answer = CannedAnswer.objects.create(
        title="Looking into it", body="Hi {first_name}, {reference} is with me. {agent_name} {nope}"
    )
    CannedAnswer.objects.create(title="Other team only", body="x", team=TeamFactory())

    response = desk.get(reverse("cases:detail", args=[case.reference]), {"canned": answer.pk})

    body = response.context["reply_form"].initial["body"]
    assert body == f"Hi Maria, {case.reference} is with me. Ana Silva {{nope}}"
    titles = [answer.title for answer, *_ in response.context["canned"]]
    assert titles == ["Looking into it"]


def test_phrase_guide_warns_and_the_agent_may_still_send(desk, case, mailoutbox):
    Phrase.objects.create(avoid="unfortunately", prefer="here is what we can do")
    Phrase.objects.create(avoid="calm down", prefer="I understand")

    warned = post(desk, case, "reply", action="reply", body="Unfortunately we are  calm   DOWN.")

    # Redirected to the case page, so reloading it sends nothing; the draft waits there.
    assert warned.status_code == 302
    assert warned.url == reverse("cases:detail", args=[case.reference])
    page = desk.get(warned.url).content.decode()
    assert "instead of “unfortunately”, say “here is what we can do”" in page
    assert "instead of “calm down”, say “I understand”" in page
    assert "Unfortunately we are  calm   DOWN." in page  # the draft is kept
    assert not Message.objects.filter(author_agent__isnull=False).exists()

    sent = post(
        desk, case, "reply", action="reply", body="Unfortunately we are calm.", send_anyway="1"
    )

    assert sent.status_code == 302
    assert Message.objects.filter(author_agent__isnull=False).count() == 1


def test_phrase_guide_matches_whole_words_only(desk, case):
    Phrase.objects.create(avoid="no problem", prefer="happy to help")

    response = post(desk, case, "reply", action="reply", body="There is no problematic part.")

    assert response.status_code == 302


def test_collision_refuses_the_stale_reply_names_the_change_and_keeps_the_draft(
    desk, client, case, other_agent
):
    seen = Case.objects.get(pk=case.pk).version
    from django.test import Client

    ben = Client()
    ben.force_login(other_agent.user)
    post(ben, case, "reply", action="reply", body="Ben's answer.")

    refused = post(desk, case, "reply", action="reply", body="My draft answer.", seen_version=seen)

    assert refused.status_code == 302
    response = desk.get(refused.url)
    page = response.content.decode()
    assert "Nothing was saved." in page
    assert "Ben Carter" in page and "replied" in page
    assert "My draft answer." in page
    assert Message.objects.filter(body="My draft answer.").count() == 0

    fresh_version = response.context["reply_form"].data["seen_version"]
    again = post(
        desk, case, "reply", action="reply", body="My draft answer.", seen_version=fresh_version
    )
    assert again.status_code == 302
    assert Message.objects.filter(body="My draft answer.").count() == 1
    # The draft was shown once: the page afterwards is the case as it is.
    assert "Nothing was saved." not in desk.get(refused.url).content.decode()


def test_stale_update_form_changes_nothing(desk, case, other_agent):
    seen = Case.objects.get(pk=case.pk).version
    post(desk, case, "update", status="open", priority=2, assignee=case.assignee_id)

    response = post(
        desk,
        case,
        "update",
        status="resolved",
        priority=4,
        assignee=other_agent.pk,
        seen_version=seen,
    )

    assert response.status_code == 302
    assert "Nothing was saved." in desk.get(response.url).content.decode()
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee_id) == ("open", 2, case.assignee_id)


def test_update_changes_status_priority_category_and_assignee_with_events(desk, case, other_agent):
    category = CategoryFactory(name="Hardware")

    post(
        desk,
        case,
        "update",
        status="resolved",
        priority=3,
        category=category.pk,
        assignee=other_agent.pk,
    )

    case.refresh_from_db()
    assert (case.status, case.priority, case.category, case.assignee) == (
        "resolved",
        3,
        category,
        other_agent,
    )
    assert case.resolved_at is not None
    details = list(case.events.values_list("detail", flat=True))
    assert "Status: New → Resolved." in details
    assert "Priority: Normal → High." in details
    assert "Category: none → Hardware." in details
    assert "Assignee: Ana Silva → Ben Carter." in details


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"status": "bogus", "priority": 2}, "Select a valid choice."),
        ({"status": "open", "priority": 9}, "Select a valid choice."),
        ({"status": "open", "priority": 2, "assignee": 99999}, "Select a valid choice."),
        ({"status": "open", "priority": 2, "seen_version": "x"}, "reload the page"),
    ],
)
def test_bad_updates_are_refused(desk, case, data, error):
    response = post(desk, case, "update", **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_escalate_to_the_team_lead(desk, case, team, other_agent):
    team.lead = other_agent
    team.save()

    post(desk, case, "escalate", reason="Customer asks for a refund over our limit.")

    case.refresh_from_db()
    assert case.assignee == other_agent
    event = case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert event.detail == (
        "Escalated to Ben Carter, lead of Customer Care: Customer asks for a refund over our limit."
    )


def test_escalate_to_another_team_leaves_it_in_their_queue(desk, case):
    billing = TeamFactory(name="Billing")

    post(desk, case, "escalate", team=billing.pk, reason="Billing question.")

    case.refresh_from_db()
    assert (case.team, case.assignee) == (billing, None)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": ""}, "This field is required."),
        ({"reason": "Help"}, "has no lead to escalate to"),
    ],
)
def test_bad_escalations_are_refused(desk, case, data, error):
    response = post(desk, case, "escalate", **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()


def test_merge_moves_messages_closes_the_source_and_both_timelines_say_so(desk, case):
    target = CaseFactory(contact=case.contact, assignee=case.assignee, subject="Fire, again")

    response = post(desk, case, "merge", target=target.reference.lower(), confirmed="True")

    assert response.url == reverse("cases:detail", args=[target.reference])
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.merged_into == target
    assert target.messages.filter(body="My printer is on fire.").exists()
    assert not case.messages.exists()
    assert case.events.filter(kind="merged", detail__startswith=f"Merged into {target.reference}")
    assert target.events.filter(kind="merged", detail__startswith=f"{case.reference} (")
    source_page = desk.get(reverse("cases:detail", args=[case.reference])).content.decode()
    link = reverse("cases:detail", args=[target.reference])
    assert f'Merged into <a class="link-light" href="{link}">{target.reference}</a>' in source_page


@pytest.mark.parametrize("target", ["self", "HD-999999", "rubbish", "closed", ""])
def test_bad_merges_are_refused(desk, case, target):
    closed = CaseFactory(status=Status.CLOSED)
    reference = {"self": case.reference, "closed": closed.reference}.get(target, target)

    response = post(desk, case, "merge", target=reference)

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.merged_into is None
    assert case.messages.count() == 1


def test_workspace_shows_the_contacts_other_cases_newest_first(desk, case):
    older = CaseFactory(contact=case.contact, subject="Older one", status=Status.CLOSED)
    newer = CaseFactory(contact=case.contact, subject="Newer one")

    response = desk.get(reverse("cases:detail", args=[case.reference]))

    assert list(response.context["other_cases"]) == [newer, older]
    assert "Maria Garcia" in response.content.decode()
    assert "All their cases" not in response.content.decode()


@pytest.mark.parametrize("others, more", [(10, False), (11, True), (40, True)])
def test_workspace_lists_the_ten_newest_other_cases_and_links_to_all(desk, case, others, more):
    made = [CaseFactory(contact=case.contact, subject=f"Earlier {n}") for n in range(others)]
    CaseFactory(subject="Someone else's")

    response = desk.get(reverse("cases:detail", args=[case.reference]))

    shown = response.context["other_cases"]
    assert [other.pk for other in shown] == [other.pk for other in made[::-1][:10]]
    page = response.content.decode()
    assert page.count('<li class="mb-1"><a class="reference"') == 10
    assert ("All their cases" in page) is more
    if more:
        assert reverse("contacts:detail", args=[case.contact_id]) in page


def test_workspace_post_views_need_an_agent(client, non_agent, case):
    actions = ["reply", "update", "escalate", "merge"]
    for action in actions:
        assert client.post(reverse(f"cases:{action}", args=[case.reference])).status_code == 302
    client.force_login(non_agent)
    for action in actions:
        assert client.post(reverse(f"cases:{action}", args=[case.reference])).status_code == 403


def test_workspace_post_views_refuse_get(desk, case):
    for action in ["reply", "update", "escalate", "merge", "claim"]:
        assert desk.get(reverse(f"cases:{action}", args=[case.reference])).status_code == 405


def test_cases_of_two_contacts_cannot_be_merged(desk, case):
    stranger_case = CaseFactory(subject="Someone else's")

    response = post(desk, case, "merge", target=stranger_case.reference)

    assert response.status_code == 400
    assert "belongs to another contact" in response.content.decode()
    assert not stranger_case.messages.exists()


def undelivered(case, **fields):
    return OutboundEmail.objects.create(
        case=case,
        kind=OutboundEmail.Kind.REPLY,
        to=case.contact.email,
        subject="Re: your order",
        body_text="…",
        message_id_header=f"<{fields.get('attempts', 0)}-{fields.get('last_error', '')[:3]}@x>",
        **fields,
    )


def test_a_mail_the_worker_just_picked_up_raises_no_alarm(desk, case):
    undelivered(case, attempts=1)  # claimed, being sent

    page = desk.get(reverse("cases:detail", args=[case.reference])).content.decode()

    assert "Mail to the customer is not getting through" not in page


def test_a_mail_whose_send_failed_is_shown_with_the_error(desk, case):
    undelivered(case, attempts=1, last_error="SMTPServerDisconnected: closed")

    page = desk.get(reverse("cases:detail", args=[case.reference])).content.decode()

    assert "Mail to the customer is not getting through" in page
    assert "SMTPServerDisconnected: closed" in page


def test_an_internal_note_is_labelled_as_one_not_with_a_channel(desk, case, agent):
    desk_note = Message.objects.create(
        case=case, author_agent=agent, body="Checked the logs.", is_internal=True
    )

    page = desk.get(reverse("cases:detail", args=[case.reference])).content.decode()

    note = page[page.index('data-kind="note"') : page.index(desk_note.body)]
    assert "Internal note" in note
    assert "Web form ·" not in note


def test_merge_first_shows_both_cases_and_changes_nothing(desk, case):
    target = CaseFactory(contact=case.contact, assignee=case.assignee, subject="Fire, again")

    response = post(desk, case, "merge", target=target.reference)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Merge {case.reference} into {target.reference}?" in page
    assert "Printer on fire" in page and "Fire, again" in page
    assert 'name="confirmed" value="True"' in page
    case.refresh_from_db()
    assert case.merged_into is None and case.status != Status.CLOSED
