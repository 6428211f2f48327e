"""What the pass keeps so that a report's first view reads no case of its period: the cases
that went to another agent (for the contacts served by several agents) and the open cases
counted per group (for the backlog)."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from cases.models import Case, Channel, Status
from reports.figures import Period, Scope, backlog_counted, backlog_now, contacts_spread
from reports.models import AgentChange, CaseFact, OpenCount, RollupState
from reports.rollup import changes_refresh, open_count, rollup_rebuild, rollup_refresh
from tests.factories import AgentFactory, CaseFactory, ContactFactory, TeamFactory

pytestmark = pytest.mark.django_db


def nov(day):
    return date(2026, 11, day)


def fact(contact, day, agent, team=None, channel=Channel.WEB, category_id=None):
    """A solved case's facts, written directly: the rollup's own tests check that the
    facts are worked out from the cases."""
    case = CaseFactory(contact=contact)
    return CaseFact.objects.create(
        case=case,
        contact_id=contact.pk,
        team_id=team.pk if team else None,
        agent_id=agent.pk if agent else None,
        channel=channel,
        category_id=category_id,
        created_day=day,
        resolved_day=day,
    )


def spread(first, last, scope=None):
    return contacts_spread(Period(nov(first), nov(last)), scope or Scope())


def test_a_contact_counts_when_two_agents_solved_its_cases_within_the_period():
    ana, ben = AgentFactory(), AgentFactory()
    contact = ContactFactory()
    fact(contact, nov(1), ana)
    fact(contact, nov(3), ana)
    fact(contact, nov(5), ben)
    changes_refresh()
    # Ben's case (5 Nov) is the change, from a case solved on 3 Nov.
    assert list(
        AgentChange.objects.filter(within="").values_list("resolved_day", "previous_day")
    ) == [(nov(5), nov(3))]
    assert spread(3, 5) == 1  # both ends of the period in it
    assert spread(1, 30) == 1
    assert spread(4, 5) == 0  # Ana's case on the 3rd is before it: Ben alone
    assert spread(3, 4) == 0  # Ben's is after it: Ana alone
    assert spread(5, 5) == 0


def test_cases_solved_the_same_day_by_two_agents_count():
    ana, ben = AgentFactory(), AgentFactory()
    contact = ContactFactory()
    fact(contact, nov(2), ana)
    fact(contact, nov(2), ben)
    changes_refresh()
    assert (spread(2, 2), spread(1, 1), spread(3, 3)) == (1, 0, 0)


def test_a_case_solved_by_nobody_neither_counts_nor_hides_a_change():
    ana, ben = AgentFactory(), AgentFactory()
    same, changed = ContactFactory(), ContactFactory()
    for contact, last in ((same, ana), (changed, ben)):
        fact(contact, nov(4), ana)
        fact(contact, nov(5), None)
        fact(contact, nov(6), last)
    changes_refresh()
    assert spread(4, 6) == 1
    assert spread(5, 6) == 0
    assert AgentChange.objects.get(within="").contact_id == changed.pk


def test_a_contact_counts_once_however_often_its_agent_changed():
    ana, ben = AgentFactory(), AgentFactory()
    contact = ContactFactory()
    for day, agent in ((1, ana), (2, ben), (3, ana), (4, ben)):
        fact(contact, nov(day), agent)
    changes_refresh()
    assert AgentChange.objects.filter(within="").count() == 3
    assert (spread(1, 4), spread(2, 3), spread(4, 4)) == (1, 1, 0)


def test_in_a_scope_only_the_cases_in_it_count():
    ana, ben, cleo = AgentFactory(), AgentFactory(), AgentFactory()
    t1, t2 = TeamFactory(name="Care"), TeamFactory(name="Billing")
    # W: Ana in Care, then Ben in Billing. V: Ana in Care, Ben in Billing, Cleo in Care.
    w, v = ContactFactory(), ContactFactory()
    fact(w, nov(10), ana, t1)
    fact(w, nov(11), ben, t2)
    fact(v, nov(10), ana, t1)
    fact(v, nov(11), ben, t2)
    fact(v, nov(12), cleo, t1, channel=Channel.EMAIL)
    changes_refresh()
    assert spread(10, 12) == 2
    assert spread(10, 12, Scope(team_id=t1.pk)) == 1  # V: Ana and Cleo
    assert spread(10, 11, Scope(team_id=t1.pk)) == 0
    assert spread(10, 12, Scope(team_id=t2.pk)) == 0
    assert spread(10, 12, Scope(teams=(t1.pk, t2.pk))) == 2
    assert spread(10, 12, Scope(channel=Channel.WEB)) == 2  # Ana and Ben, both
    assert spread(10, 12, Scope(agent_id=ana.pk)) == 0


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_count_equals_the_definition_on_random_cases(seed):
    """Against the definition itself, counted by hand over every solved case: for every
    period of a fortnight and each kind of scope."""
    rng = random.Random(seed)
    agents = [AgentFactory() for _ in range(3)]
    teams = [TeamFactory(name=f"Team {n}") for n in range(2)]
    contacts = [ContactFactory() for _ in range(5)]
    facts = [
        fact(
            rng.choice(contacts),
            nov(rng.randint(1, 14)),
            rng.choice([*agents, None]),
            rng.choice(teams),
            rng.choice([Channel.WEB, Channel.EMAIL]),
            rng.choice([None, 1, 2]),
        )
        for _ in range(40)
    ]
    changes_refresh()
    scopes = [
        Scope(),
        Scope(team_id=teams[0].pk),
        Scope(teams=(teams[1].pk,)),
        Scope(teams=(teams[0].pk, teams[1].pk)),
        Scope(channel=Channel.EMAIL),
        Scope(team_id=teams[1].pk, channel=Channel.WEB),
        Scope(teams=(teams[0].pk, teams[1].pk), channel=Channel.EMAIL),
        Scope(teams=(teams[0].pk,), team_id=teams[1].pk),
        Scope(agent_id=agents[0].pk),
        Scope(category_id=1),
        Scope(channel=Channel.WEB, category_id=2),
    ]
    for scope in scopes:
        for first in range(1, 15):
            for last in range(first, 15):
                agents_of: dict = {}
                for row in facts:
                    if (
                        nov(first) <= row.resolved_day <= nov(last)
                        and row.agent_id
                        and (scope.agent_id is None or row.agent_id == scope.agent_id)
                        and (scope.team_id is None or row.team_id == scope.team_id)
                        and (scope.teams is None or row.team_id in scope.teams)
                        and (not scope.channel or row.channel == scope.channel)
                        and (scope.category_id is None or row.category_id == scope.category_id)
                    ):
                        agents_of.setdefault(row.contact_id, set()).add(row.agent_id)
                expected = sum(len(seen) > 1 for seen in agents_of.values())
                assert spread(first, last, scope) == expected, (scope, first, last)


def test_a_pass_finds_the_change_again_when_a_case_is_solved_by_someone_else(agent):
    """Kept by the passes as cases change: the contact's other cases are looked at again."""
    other = AgentFactory(team=agent.team)
    contact = ContactFactory()
    solved_at = datetime(2026, 11, 3, 12, tzinfo=UTC)
    first, second = (
        CaseFactory(
            contact=contact,
            assignee=agent,
            team=agent.team,
            status=Status.RESOLVED,
            created_at=solved_at - timedelta(days=1),
            resolved_at=solved_at + timedelta(days=n),
        )
        for n in range(2)
    )
    rollup_rebuild()
    assert not AgentChange.objects.exists()
    Case.objects.filter(pk=second.pk).update(assignee=other, updated_at=datetime.now(UTC))
    rollup_refresh()
    # Among all the contact's cases, and within their team, channel and category.
    assert sorted(AgentChange.objects.values_list("within", "case_id", "previous_day")) == [
        (within, second.pk, nov(3)) for within in ("", "category", "channel", "team")
    ]
    # The first case goes to the other agent too: no change left.
    Case.objects.filter(pk=first.pk).update(assignee=other, updated_at=datetime.now(UTC))
    rollup_refresh()
    assert not AgentChange.objects.exists()


def test_the_pass_counts_the_open_cases_as_a_view_would(agent):
    """The backlog a view sums from the pass's counts equals the open cases counted live at
    the same moment, for every kind of scope; closed cases are left out."""
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    other = AgentFactory(team=TeamFactory(name="Billing"))
    rng = random.Random(7)
    for _ in range(40):
        created = now - timedelta(hours=rng.choice([1, 23, 24, 25, 71, 73, 200, 800]))
        CaseFactory(
            assignee=rng.choice([agent, other, None]),
            team=rng.choice([agent.team, other.team, None]),
            channel=rng.choice([Channel.WEB, Channel.EMAIL]),
            status=rng.choice([Status.NEW, Status.OPEN, Status.WAITING, Status.CLOSED]),
            created_at=created,
            due_at=rng.choice([None, now - timedelta(minutes=1), now, now + timedelta(hours=1)]),
        )
    rollup_rebuild(now=now)
    assert RollupState.objects.get().counted_at == now
    # Fewer rows than open cases: one per group.
    assert OpenCount.objects.count() < Case.objects.exclude(status=Status.CLOSED).count()
    for scope in (
        Scope(),
        Scope(team_id=other.team_id),
        Scope(teams=(agent.team_id,)),
        Scope(agent_id=agent.pk),
        Scope(channel=Channel.EMAIL),
        Scope(team_id=agent.team_id, channel=Channel.WEB),
    ):
        counted = backlog_counted(scope)
        assert counted == backlog_now(scope, now=now), scope
    whole = backlog_counted(Scope())
    assert whole["total"] == Case.objects.exclude(status=Status.CLOSED).count()
    assert (
        whole["overdue"]
        == Case.objects.exclude(status=Status.CLOSED).filter(due_at__lt=now).count()
    )


def test_the_next_count_replaces_the_last(agent):
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    case = CaseFactory(assignee=agent, team=agent.team, status=Status.OPEN, created_at=now)
    RollupState.objects.create(pk=1, refreshed_at=now)
    open_count(now)
    assert backlog_counted(Scope())["total"] == 1
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    open_count(now + timedelta(minutes=5))
    assert backlog_counted(Scope())["total"] == 0
    assert RollupState.objects.get().counted_at == now + timedelta(minutes=5)
