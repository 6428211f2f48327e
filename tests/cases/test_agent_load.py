"""Each agent's open-case count, kept by database triggers, stays equal to a fresh count
whatever writes the cases: services, bulk updates, the admin's deletes."""

import pytest
from django.db.models import Count, Q

from agents.models import Agent
from cases.models import OPEN_STATUSES, AgentLoad, Case, Status
from tests.factories import AgentFactory, CaseFactory

pytestmark = pytest.mark.django_db


def loads() -> dict[int, int]:
    return dict(AgentLoad.objects.values_list("agent_id", "open_cases"))


def counted() -> dict[int, int]:
    return dict(
        Agent.objects.annotate(
            open=Count("assigned_cases", filter=Q(assigned_cases__status__in=OPEN_STATUSES))
        ).values_list("pk", "open")
    )


def test_a_new_agent_starts_at_zero(team):
    agent = AgentFactory(team=team)

    assert loads() == {agent.pk: 0}


def test_opening_closing_reopening_and_reassigning_keep_the_count(agent, other_agent):
    case = CaseFactory(assignee=agent, status=Status.NEW)
    CaseFactory(assignee=agent, status=Status.RESOLVED)  # not open: not counted
    CaseFactory(assignee=None, status=Status.OPEN)  # nobody's
    assert loads() == {agent.pk: 1, other_agent.pk: 0}

    for status, expected in [
        (Status.OPEN, 1),  # open to open: no change
        (Status.WAITING, 1),
        (Status.RESOLVED, 0),
        (Status.CLOSED, 0),  # closed to closed-ish: no change
        (Status.OPEN, 1),  # reopened
    ]:
        case.status = status
        case.save()
        assert loads()[agent.pk] == expected, status

    case.assignee = other_agent
    case.save()
    assert loads() == {agent.pk: 0, other_agent.pk: 1}

    case.assignee = None
    case.save()
    assert loads() == {agent.pk: 0, other_agent.pk: 0}


def test_saving_a_case_unchanged_counts_nothing(agent):
    case = CaseFactory(assignee=agent, status=Status.OPEN)

    case.subject = "Renamed"
    case.save()
    case.save()

    assert loads()[agent.pk] == 1


def test_bulk_updates_and_deletes_keep_the_count(agent, other_agent):
    CaseFactory.create_batch(3, assignee=agent, status=Status.OPEN)
    CaseFactory.create_batch(2, assignee=other_agent, status=Status.WAITING)

    Case.objects.filter(assignee=agent).update(assignee=other_agent)
    assert loads() == counted() == {agent.pk: 0, other_agent.pk: 5}

    Case.objects.filter(pk__in=Case.objects.order_by("pk")[:2]).update(status=Status.CLOSED)
    assert loads() == counted() == {agent.pk: 0, other_agent.pk: 3}

    Case.objects.filter(status=Status.CLOSED).delete()
    Case.objects.order_by("pk").first().delete()
    assert loads() == counted() == {agent.pk: 0, other_agent.pk: 2}
