"""Every request loads the signed-in user with their agent, team and unread count in one
query written as SQL (cases.auth): what it builds must be what the ORM would build."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agents.models import Agent
from cases.auth import DeskBackend, desk_unread
from cases.models import Notification
from tests.factories import AgentFactory, CaseFactory

pytestmark = pytest.mark.django_db


def loaded(user_id):
    return DeskBackend().get_user(user_id)


def test_the_user_comes_with_agent_and_team_as_the_orm_reads_them(
    agent, other_agent, django_assert_num_queries
):
    agent.away_until = timezone.now() + timedelta(days=2)
    agent.backup = other_agent
    agent.save()
    user = agent.user
    user.last_login = timezone.now()
    user.save()

    with django_assert_num_queries(1):
        got = loaded(user.pk)
        # all of it was read in that one query
        team_name = got.agent.team.name
        assert got.agent.user is got

    expected = get_user_model().objects.select_related("agent__team").get(pk=user.pk)
    for field in get_user_model()._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(expected, field.attname), field.name
    for field in Agent._meta.concrete_fields:
        assert getattr(got.agent, field.attname) == getattr(expected.agent, field.attname)
    assert team_name == expected.agent.team.name
    assert got.last_login.tzinfo is not None and got.agent.away_until.tzinfo is not None
    assert got.is_active is True and got.agent.notify_by_mail is expected.agent.notify_by_mail
    got.first_name = "Anabel"
    got.save()
    assert get_user_model().objects.get(pk=user.pk).first_name == "Anabel"


def test_the_unread_count_is_this_agents_unread_only(agent, other_agent):
    case = CaseFactory(assignee=agent)
    for kind in (Notification.Kind.MENTIONED, Notification.Kind.ASSIGNED):
        Notification.objects.create(agent=agent, case=case, kind=kind)
    Notification.objects.create(
        agent=agent, case=case, kind=Notification.Kind.MENTIONED, read_at=timezone.now()
    )
    Notification.objects.create(agent=other_agent, case=case, kind=Notification.Kind.MENTIONED)

    assert desk_unread(loaded(agent.user.pk)) == 2
    assert desk_unread(loaded(other_agent.user.pk)) == 1


def test_an_agent_without_a_team(django_assert_num_queries):
    agent = AgentFactory(team=None)

    with django_assert_num_queries(1):
        got = loaded(agent.user.pk)
        assert got.agent.team is None

    assert desk_unread(got) == 0


def test_a_user_without_an_agent_is_known_to_have_none(non_agent, django_assert_num_queries):
    with django_assert_num_queries(1):
        got = loaded(non_agent.pk)
        with pytest.raises(Agent.DoesNotExist):
            assert got.agent is None

    assert got == non_agent


def test_no_such_user_and_an_inactive_one_are_nobody(agent):
    agent.user.is_active = False
    agent.user.save()

    assert loaded(agent.user.pk) is None
    assert loaded(agent.user.pk + 1000) is None
