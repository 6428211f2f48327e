"""A contact without an owner goes to an agent of the team who speaks their language:
the least loaded of those, else the least loaded of the team as before."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cases import routing
from cases.models import Case, CaseEvent, Status
from tests.cases.held_routing import routing_held
from tests.factories import AgentFactory, CaseFactory, CategoryFactory, ContactFactory, TeamFactory

pytestmark = pytest.mark.django_db


def speaks(agent, languages):
    agent.languages = languages
    agent.save()
    return agent


def busy(agent, cases):
    CaseFactory.create_batch(cases, assignee=agent, status=Status.OPEN)
    return agent


def routed(case) -> str:
    return CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ROUTED).detail


def new_case(team, language="fr", **contact):
    return CaseFactory(
        contact=ContactFactory(language=language, **contact),
        category=CategoryFactory(default_team=team),
    )


@pytest.fixture
def chloe(team):
    return AgentFactory(team=team, user__first_name="Chloé", user__last_name="Martin")


def test_a_new_contact_goes_to_the_agent_who_speaks_their_language(team, agent, other_agent):
    speaks(busy(agent, 2), "en,fr")
    speaks(other_agent, "en")
    case = new_case(team)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == agent
    assert case.contact.owner == agent
    assert routed(case) == (
        "The contact has no owner yet; routed to Ana Silva, who speaks French "
        "(the only one in Customer Care, 2 open). Ana Silva becomes the contact's owner."
    )


def test_the_least_loaded_of_the_speakers_gets_it(team, agent, other_agent, chloe):
    speaks(busy(agent, 3), "fr")
    speaks(busy(other_agent, 2), "es,fr")
    speaks(chloe, "en")
    case = new_case(team)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == other_agent
    assert routed(case).startswith(
        "The contact has no owner yet; routed to Ben Carter, who speaks French "
        "(least loaded of 2, 2 open)."
    )


def test_speakers_equally_loaded_go_to_the_longest_on_the_team(team, agent, other_agent, chloe):
    speaks(busy(agent, 1), "fr")
    speaks(busy(other_agent, 1), "fr")
    speaks(chloe, "en")

    case = new_case(team)
    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == agent


def test_when_nobody_speaks_it_the_least_loaded_of_the_team_gets_it(team, agent, other_agent):
    speaks(busy(agent, 1), "en")
    speaks(other_agent, "")
    case = new_case(team)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == other_agent
    assert routed(case) == (
        "The contact has no owner yet; routed to Ben Carter, the least-loaded available agent "
        "of Customer Care (0 open). Ben Carter becomes the contact's owner."
    )


def test_a_speaker_who_is_away_or_has_left_does_not_count(team, agent, other_agent, chloe):
    speaks(agent, "fr").away_until = timezone.now() + timedelta(days=2)
    agent.save()
    speaks(other_agent, "fr").user.is_active = False
    other_agent.user.save()
    speaks(busy(chloe, 4), "en")
    case = new_case(team)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == chloe
    assert "the least-loaded available agent of Customer Care (4 open)" in routed(case)


def test_a_speaker_of_another_team_does_not_count(team, agent):
    speaks(AgentFactory(team=TeamFactory()), "fr")
    speaks(agent, "en")
    case = new_case(team)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == agent


def test_a_code_is_matched_whole_in_the_list(team, agent, other_agent):
    speaks(busy(agent, 1), "es,en")
    speaks(busy(other_agent, 2), "fr,es")
    case = new_case(team, language="es")

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == agent
    assert "who speaks Spanish (least loaded of 2, 1 open)" in routed(case)


def test_the_owner_still_comes_first_whatever_they_speak(team, agent, other_agent):
    speaks(other_agent, "fr")
    case = new_case(team, owner=speaks(agent, "en"))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == agent
    assert routed(case) == "Routed to Ana Silva, the contact's owner."


def test_the_backup_of_an_away_owner_still_comes_next(team, agent, other_agent, chloe):
    speaks(chloe, "fr")
    agent.away_until = timezone.now() + timedelta(days=2)
    agent.backup = speaks(other_agent, "en")
    agent.save()
    case = new_case(team, owner=agent)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == other_agent


def test_a_contact_with_an_owner_away_and_no_backup_goes_to_the_least_loaded(
    team, agent, other_agent, chloe
):
    """The language counts for a contact's first case, when an owner is chosen: a contact
    with an owner keeps them, and meanwhile the team's least loaded covers as before."""
    agent.away_until = timezone.now() + timedelta(days=2)
    agent.save()
    speaks(busy(other_agent, 1), "fr")
    speaks(chloe, "en")
    case = new_case(team, owner=agent)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == chloe
    assert "least-loaded available agent of Customer Care (0 open)" in routed(case)


def test_the_speaker_is_found_in_one_query(team, agent, other_agent, django_assert_num_queries):
    speaks(busy(agent, 2), "fr")
    speaks(other_agent, "en")
    now = timezone.now()

    with django_assert_num_queries(1):
        chosen, load, speakers = routing.least_loaded_speaker(team, now, "fr")
        assert (chosen, load, speakers, chosen.name) == (agent, 2, 1, "Ana Silva")

    with django_assert_num_queries(1):
        assert routing.least_loaded_speaker(team, now, "es") == (other_agent, 0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="row locks: SQLite has one writer at a time (CI runs this on PostgreSQL)",
)
def test_a_routing_skips_a_speaker_another_routing_holds_for_the_next_speaker():
    team = TeamFactory()
    first, second = (speaks(agent, "fr") for agent in AgentFactory.create_batch(2, team=team))
    speaks(AgentFactory(team=team), "en")  # idle, but does not speak French
    held, waiting = (new_case(team) for _ in range(2))
    with routing_held(held), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting would fail
        routing.route(Case.objects.get(pk=waiting.pk))

    assert [Case.objects.get(pk=case.pk).assignee for case in (held, waiting)] == [first, second]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="row locks: SQLite has one writer at a time (CI runs this on PostgreSQL)",
)
def test_a_routing_waits_for_the_only_speaker_rather_than_take_another_agent():
    team = TeamFactory()
    speaker = speaks(AgentFactory(team=team), "fr")
    speaks(AgentFactory(team=team), "en")  # idle, and free to take it
    held, waiting = (new_case(team) for _ in range(2))
    routed_first, release, errors = threading.Event(), threading.Event(), []

    def route(case_id, hold=False):
        try:
            with transaction.atomic():
                routing.route(Case.objects.get(pk=case_id))
                if hold:
                    routed_first.set()
                    release.wait(timeout=10)
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=route, args=(held.pk, True))
    first.start()
    assert routed_first.wait(timeout=10)
    second = threading.Thread(target=route, args=(waiting.pk,))
    second.start()
    second.join(timeout=0.5)
    waited = second.is_alive()
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert errors == []
    assert waited
    assert [Case.objects.get(pk=case.pk).assignee for case in (held, waiting)] == [speaker] * 2
