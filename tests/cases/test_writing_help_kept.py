"""The canned answers and the phrase guide are kept in the cache: each change a manager
makes shows on the next workspace and in the next reply's check."""

import pytest
from django.urls import reverse

from cases import guide
from cases.models import CannedAnswer, Message, Phrase
from tests.factories import CaseFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def case(agent):
    return CaseFactory(assignee=agent, team=agent.team, subject="Printer on fire")


def canned_titles(desk, case) -> list[str]:
    page = desk.get(reverse("cases:detail", args=[case.reference]))
    return [answer.title for answer, *_ in page.context["canned"]]


def reply(desk, case, body):
    return desk.post(
        reverse("cases:reply", args=[case.reference]),
        {"action": "reply", "body": body, "seen_version": case.version},
    )


def test_answers_added_renamed_and_deleted_show_on_the_next_view(desk, case, agent):
    first = CannedAnswer.objects.create(title="Looking into it", body="Hi")
    assert canned_titles(desk, case) == ["Looking into it"]

    CannedAnswer.objects.create(title="All done", body="Done", team=agent.team)
    CannedAnswer.objects.create(title="Their team only", body="x", team=TeamFactory())
    assert canned_titles(desk, case) == ["All done", "Looking into it"]

    first.title = "On it"
    first.save()
    assert canned_titles(desk, case) == ["All done", "On it"]

    first.delete()
    assert canned_titles(desk, case) == ["All done"]


def test_the_answers_are_read_once_while_nothing_changes(desk, case, django_assert_num_queries):
    CannedAnswer.objects.create(title="Looking into it", body="Hi")
    guide.writing_help()

    with django_assert_num_queries(0):
        assert [a.title for a in guide.writing_help().canned] == ["Looking into it"]


def test_a_phrase_added_after_a_view_is_checked_in_the_next_reply(desk, case):
    Phrase.objects.create(avoid="calm down", prefer="I understand")
    desk.get(reverse("cases:detail", args=[case.reference]))
    Phrase.objects.create(avoid="unfortunately", prefer="here is what we can do")

    warned = reply(desk, case, "Unfortunately, no.")

    assert warned.status_code == 302
    page = desk.get(warned.url).content.decode()
    assert "instead of “unfortunately”, say “here is what we can do”" in page
    assert "calm down”, say" not in page
    assert not Message.objects.filter(author_agent__isnull=False).exists()


def test_a_deleted_phrase_no_longer_stops_a_reply(desk, case):
    phrase = Phrase.objects.create(avoid="unfortunately", prefer="here is what we can do")
    assert reply(desk, case, "Unfortunately, no.").status_code == 302
    assert desk.get(reverse("cases:detail", args=[case.reference])).status_code == 200

    phrase.delete()
    case.refresh_from_db()
    reply(desk, case, "Unfortunately, no.")

    assert Message.objects.filter(author_agent__isnull=False).count() == 1


def test_with_the_cache_down_the_answers_are_read_each_time(desk, case, kept_cache_down):
    CannedAnswer.objects.create(title="Looking into it", body="Hi")
    assert canned_titles(desk, case) == ["Looking into it"]
    CannedAnswer.objects.create(title="All done", body="Done")
    assert canned_titles(desk, case) == ["All done", "Looking into it"]
