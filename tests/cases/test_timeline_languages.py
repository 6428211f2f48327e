"""Timeline events are kept as a sentence's code and parameters and read in the reader's
language; events written before codes are read back into them by a migration."""

import importlib

import pytest
from django.urls import reverse
from django.utils import translation

from cases import desk
from cases.models import CaseEvent, Priority, Status
from cases.routing import route
from cases.said import Said, words
from cases.timeline import CaseChanged, case_lock, timeline_items
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

said_migration = importlib.import_module("cases.migrations.0017_event_said")
inbox_migration = importlib.import_module("cases.migrations.0018_event_said_inbox_handover")


def event_texts(case, language) -> list[str]:
    with translation.override(language):
        return [item.text for kind, _at, item in timeline_items(case) if kind == "event"]


def test_one_row_reads_in_each_language(agent):
    case = CaseFactory(status=Status.OPEN, priority=Priority.NORMAL)
    desk.case_update(
        case=case,
        actor=agent.user,
        seen_version=None,
        status=Status.WAITING,
        priority=Priority.URGENT,
    )

    assert event_texts(case, "en") == [
        "Status: Open → Waiting on customer.",
        "Priority: Normal → Urgent.",
    ]
    assert event_texts(case, "fr") == [
        "Statut : Ouvert → En attente du client.",
        "Priorité : Normale → Urgente.",
    ]
    assert event_texts(case, "es")[0].startswith("Estado: Abierto → ")
    stored = CaseEvent.objects.get(kind=CaseEvent.Kind.STATUS)
    assert (stored.code, stored.params) == ("status", {"before": "open", "after": "waiting"})
    assert stored.detail == "Status: Open → Waiting on customer."  # English, for admin


def test_a_reason_inside_a_change_is_read_in_the_same_language(agent):
    case = CaseFactory(assignee=None, status=Status.NEW)

    desk.case_claim(case=case, agent=agent)

    [assigned] = [text for text in event_texts(case, "fr") if text.startswith("Attribué à")]
    assert assigned.startswith("Attribué à : non attribué → Ana Silva. Pris en charge.")


@pytest.mark.parametrize(
    "count, english", [(1, "Revoked 1 customer link."), (2, "Revoked 2 customer links.")]
)
def test_a_count_takes_its_plural(count, english):
    assert Said("links_revoked", count=count).english() == english


def test_an_unknown_sentence_is_refused_when_written_and_silent_when_read():
    with pytest.raises(KeyError):
        Said("no_such_sentence")
    assert words("from_a_newer_version", {}) == ""


def test_the_desk_shows_the_timeline_in_the_readers_language(client, agent):
    case = CaseFactory(status=Status.OPEN, assignee=agent, team=agent.team)
    desk.case_update(case=case, actor=agent.user, seen_version=None, status=Status.WAITING)
    client.force_login(agent.user)

    french = client.get(
        reverse("cases:detail", args=[case.reference]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    english = client.get(
        reverse("cases:detail", args=[case.reference]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Statut : Ouvert → En attente du client." in french
    assert "Status: Open → Waiting on customer." in english


def test_a_collision_names_the_change_in_the_readers_language(agent):
    case = CaseFactory(status=Status.OPEN)
    seen = case.version
    desk.case_update(case=case, actor=agent.user, seen_version=seen, status=Status.WAITING)

    with pytest.raises(CaseChanged) as changed:
        case_lock(case, seen_version=seen)

    with translation.override("fr"):
        assert "Statut : Ouvert → En attente du client." in changed.value.describe()


@pytest.mark.parametrize(
    "kind, detail, expected",
    [
        (
            "status",
            "Status: Open → Waiting on customer.",
            ("status", {"before": "open", "after": "waiting"}),
        ),
        ("status", "Status: Open → Somewhere.", None),
        (
            "priority",
            "Priority: Normal → Urgent.",
            ("priority", {"before": 2, "after": 4, "why": ""}),
        ),
        (
            "priority",
            "Priority: Normal → High, the first response target was missed.",
            ("priority", {"before": 2, "after": 3, "why": "the first response target was missed."}),
        ),
        ("category", "Category: none → Billing.", ("category", {"before": "", "after": "Billing"})),
        (
            "assigned",
            "Assignee: unassigned → Ana Silva. Claimed.",
            ("assignee", {"before": "", "after": "Ana Silva", "why": "Claimed."}),
        ),
        ("replied", "Replied to Maria Garcia.", ("replied", {"contact": "Maria Garcia"})),
        ("note", "Added an internal note.", ("note", {})),
        (
            "customer_wrote",
            "Maria wrote (walk-in).",
            ("customer_wrote", {"contact": "Maria", "channel": "walk_in"}),
        ),
        ("rated", "Rated 4/5. With a comment.", ("rated", {"score": 4, "comment": True})),
        ("link", "Revoked 3 customer links.", ("links_revoked", {"count": 3})),
        (
            "created",
            "Opened by Maria Garcia through the web form.",
            ("opened", {"channel": "web", "contact": "Maria Garcia"}),
        ),
        (
            "created",
            "Logged by Ana Silva from the walk-in of Maria.",
            ("logged", {"channel": "walk_in", "agent": "Ana Silva", "contact": "Maria"}),
        ),
        (
            "created",
            "Opened through the API by “Shop” for Maria (email).",
            ("opened_by_api", {"channel": "email", "integration": "Shop", "contact": "Maria"}),
        ),
        (
            "status",
            "Closed automatically 7 days after it was resolved.",
            ("auto_closed", {"days": 7}),
        ),
        ("sla", "First response is due soon: due 29 Nov 10:00.", None),
        ("replied", "Added an internal note.", None),  # a sentence of another kind
    ],
)
def test_the_migration_reads_old_words_back_into_sentences(kind, detail, expected):
    found = said_migration.reading(kind, detail)

    assert found == expected
    if found:  # and the sentence reads as it was written
        with translation.override("en"):
            assert words(*found) == detail


@pytest.mark.parametrize(
    "kind, detail, expected",
    [
        (
            "reassigned",
            "Reassigned from Ana Silva to Ben Okafor: Ana Silva's work was handed over.",
            ("handed_over", {"before": "Ana Silva", "after": "Ben Okafor"}),
        ),
        # Two names that do not match: not a sentence we wrote.
        ("reassigned", "Reassigned from Ana to Ben: Carl's work was handed over.", None),
        (
            "note",
            "Mail from x@y.z, who is not on this case, went to HD-000001.",
            ("mail_from_stranger", {"sender": "x@y.z", "reference": "HD-000001"}),
        ),
        (
            "note",
            "2 attachment(s) of an email were not kept.",
            ("attachments_refused", {"count": 2}),
        ),
        ("reassigned", "2 attachment(s) of an email were not kept.", None),
    ],
)
def test_the_second_migration_reads_inbox_and_handover_words(kind, detail, expected):
    assert inbox_migration.reading(kind, detail) == expected


def test_inbox_and_handover_sentences_read_in_french():
    with translation.override("fr"):
        handed = words("handed_over", {"before": "Ana", "after": "Ben"})
        stranger = words("mail_from_stranger", {"sender": "x@y.z", "reference": "HD-000001"})
        refused = words("attachments_refused", {"count": 2})

    assert handed != "Reassigned from Ana to Ben: Ana's work was handed over."
    assert "Ana" in handed and "Ben" in handed
    assert "HD-000001" in stranger and "x@y.z" in stranger and "Mail from" not in stranger
    assert refused.startswith("2 ") and "attachments" not in refused


def test_the_routing_reason_reads_in_the_readers_language(agent):
    case = CaseFactory(assignee=None, team=agent.team)
    case.contact.owner = agent
    case.contact.save()

    route(case)

    [routed] = [text for text in event_texts(case, "fr") if text.startswith("Attribué à Ana")]
    assert routed == "Attribué à Ana Silva, l'interlocuteur du contact."
    assert CaseEvent.objects.get(kind=CaseEvent.Kind.ROUTED).detail == (
        "Routed to Ana Silva, the contact's owner."
    )
