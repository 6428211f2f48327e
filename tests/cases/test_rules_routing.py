"""Edges of the routing rules that the walk-through in test_routing.py leaves open:
a category's own team (rules 3 and 4) and the order of the least-loaded choice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import intake, routing
from cases.models import CaseEvent, Status
from tests.factories import AgentFactory, CaseFactory, CategoryFactory, TeamFactory

pytestmark = pytest.mark.django_db


def routed(case) -> str:
    return CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ROUTED).detail


def with_open_cases(agent, count):
    CaseFactory.create_batch(count, assignee=agent, status=Status.OPEN)
    return agent


@pytest.fixture
def billing(db):
    """The default team, with an idle agent: the wrong place for a categorised case."""
    team = TeamFactory(name="Billing", is_default=True)
    AgentFactory(team=team, user__first_name="Bea", user__last_name="Idle")
    return team


@pytest.fixture
def hardware(team):
    """A category whose team (Customer Care) is not the default team."""
    return CategoryFactory(name="Hardware", default_team=team)


# Rules 3 and 4: the category's team, never the default team.


def test_case_of_a_category_goes_to_the_least_loaded_agent_of_the_category_team(
    billing, hardware, team, agent, other_agent
):
    with_open_cases(agent, 2)
    with_open_cases(other_agent, 1)
    case = CaseFactory(category=hardware)

    routing.route(case)

    case.refresh_from_db()
    assert (case.team, case.assignee) == (team, other_agent)
    assert (
        "routed to Ben Carter, the least-loaded available agent of Customer Care (1 open)."
        in routed(case)
    )


def test_case_opened_in_a_category_is_routed_to_the_category_team(billing, hardware, team, agent):
    case = intake.case_open_from_web(
        name="Maria",
        email="maria@customer.example",
        subject="Dead fan",
        body="Help",
        category=hardware,
    )

    case.refresh_from_db()
    assert (case.team, case.assignee) == (team, agent)


def test_case_of_a_category_whose_team_has_nobody_available_waits_in_that_team_queue(
    billing, hardware, team, agent, other_agent
):
    agent.away_until = timezone.now() + timedelta(days=2)
    agent.save()
    other_agent.user.is_active = False
    other_agent.user.save()
    case = CaseFactory(category=hardware)

    routing.route(case)

    case.refresh_from_db()
    assert (case.team, case.assignee) == (team, None)
    assert routed(case).endswith(
        "no agent of Customer Care is available; left unassigned in the Customer Care queue."
    )
    assert case.contact.owner is None


# Rule 3's order: the fewest open cases, then the agent longest on the team (lower pk).


@pytest.fixture
def zoe(team):
    """On the team first, but last by name: the tie must not be decided by name."""
    return AgentFactory(team=team, user__first_name="Zoé", user__last_name="Moreau")


@pytest.fixture
def adam(zoe, team):
    adam = AgentFactory(team=team, user__first_name="Adam", user__last_name="Novak")
    # Zoé names Adam her backup: on PostgreSQL her row is then read after his, so only
    # the explicit tie-break (not the order rows happen to come in) keeps her first.
    zoe.backup = adam
    zoe.save()
    return adam


def test_least_loaded_tie_goes_to_the_agent_longest_on_the_team(team, zoe, adam):
    with_open_cases(zoe, 1)
    with_open_cases(adam, 1)
    case = CaseFactory(category=CategoryFactory(default_team=team))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == zoe
    assert "routed to Zoé Moreau" in routed(case)
    assert "(1 open)" in routed(case)


def test_least_loaded_tie_among_idle_agents_goes_to_the_agent_longest_on_the_team(team, zoe, adam):
    # Closed and resolved cases are not load: both are idle.
    CaseFactory(assignee=zoe, status=Status.CLOSED)
    CaseFactory(assignee=zoe, status=Status.RESOLVED)
    case = CaseFactory(category=CategoryFactory(default_team=team))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == zoe
    assert "(0 open)" in routed(case)


def test_less_loaded_agent_wins_over_the_agent_longest_on_the_team(team, zoe, adam):
    with_open_cases(zoe, 2)
    with_open_cases(adam, 1)
    case = CaseFactory(category=CategoryFactory(default_team=team))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == adam
    assert "(1 open)" in routed(case)
