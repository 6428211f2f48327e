"""The workspace keeps each case's rendered timeline per version: whatever changes the
timeline raises the version, so the next view shows it."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import customer
from cases.models import Case, Channel
from tests.factories import CaseFactory, ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def case(agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team, subject="Printer")
    MessageFactory(case=case, body="My printer is on fire.")
    return case


def timeline(desk, case, **headers) -> str:
    html = desk.get(reverse("cases:detail", args=[case.reference]), **headers).content.decode()
    return html[
        html.index('<div id="timeline">') : html.index('<div class="card mt-4" id="reply">')
    ]


def post(desk, case, view, **data):
    data.setdefault("seen_version", Case.objects.get(pk=case.pk).version)
    return desk.post(reverse(f"cases:{view}", args=[case.reference]), data)


def test_a_reply_and_a_note_show_on_the_next_view(desk, case):
    assert "My printer is on fire." in timeline(desk, case)

    post(desk, case, "reply", body="Please unplug it at once.", action="reply")
    post(desk, case, "reply", body="Called the fire brigade.", action="note")

    html = timeline(desk, case)
    assert "Please unplug it at once." in html
    assert "Called the fire brigade." in html


def test_the_customers_answer_shows_on_the_next_view(desk, case):
    timeline(desk, case)

    customer.case_customer_reply(
        case=case, contact=case.contact, body="It is out now, thanks.", channel=Channel.WEB
    )

    assert "It is out now, thanks." in timeline(desk, case)


def test_messages_merged_in_show_on_the_next_view(desk, case):
    other = CaseFactory(contact=case.contact, assignee=case.assignee, subject="Again")
    MessageFactory(case=other, body="The scanner too.")
    timeline(desk, case)

    post(desk, other, "merge", target=case.reference, confirmed="True")

    html = timeline(desk, case)
    assert "The scanner too." in html
    assert f"{other.reference} (" in html


def test_each_language_has_its_own_timeline(desk, case):
    february = timezone.make_aware(datetime(2026, 2, 5, 9, 7))
    MessageFactory(case=case, body="Older.", created_at=february)
    post(desk, case, "reply", body="Checked.", action="note")
    assert "5 Feb 2026 09:07" in timeline(desk, case)

    assert "5 Fév 2026 09:07" in timeline(desk, case, HTTP_ACCEPT_LANGUAGE="fr")


def test_links_in_messages_are_escaped_and_linked_from_the_cache_too(desk, case):
    MessageFactory(case=case, body='See https://example.com/a?b=1 <script>alert("x")</script>')
    post(desk, case, "reply", body="Read it.", action="note")  # a new version shows it

    for _ in range(2):
        html = timeline(desk, case)
        assert '<a href="https://example.com/a?b=1" rel="noopener nofollow">' in html
        assert "<script>" not in html


def test_without_a_cache_the_timeline_is_rendered_every_time(desk, case, kept_cache_down):
    assert "My printer is on fire." in timeline(desk, case)

    post(desk, case, "reply", body="Still here.", action="note")
    assert "Still here." in timeline(desk, case)


def test_a_case_made_afresh_with_the_same_id_and_version_is_not_shown_the_old_timeline(desk, case):
    # a database made again (a new demo, a restored copy) reuses ids and versions
    assert "My printer is on fire." in timeline(desk, case)
    pk, version, contact, assignee = case.pk, case.version, case.contact, case.assignee
    Case.objects.filter(pk=pk).delete()

    again = CaseFactory(pk=pk, version=version, contact=contact, assignee=assignee)
    MessageFactory(case=again, body="A different story.")

    html = timeline(desk, again)
    assert "A different story." in html
    assert "My printer is on fire." not in html
