"""The rollup kept by passes over changed cases equals one rebuilt from the raw rows."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import customer, desk, intake
from cases.models import Case, Channel, Priority, SlaOutcome, SlaPolicy, SlaTarget, Status
from reports.models import (
    COUNTERS,
    AgentChange,
    CaseFact,
    ChannelDay,
    DailyRollup,
    RollupState,
    TeamChannelDay,
    TeamDay,
)
from reports.rollup import rollup_rebuild, rollup_refresh
from tests.factories import AgentFactory, ContactFactory, TeamFactory


def snapshot(model=DailyRollup):
    return sorted(
        (
            (row.day, row.team_id, getattr(row, "agent_id", 0), getattr(row, "channel", "")),
            tuple(getattr(row, name) for name in COUNTERS),
        )
        for row in model.objects.all()
    )


def step(rng, cases, agents, contacts):
    """One random change through the services, as the desk and customers make them."""
    action = rng.choice(["open", "reply", "solve", "reopen", "rate", "move", "reply"])
    if action == "open" or not cases:
        contact = rng.choice(contacts)
        cases.append(
            intake.case_open(
                contact=contact,
                subject="Help",
                body="It broke.",
                channel=rng.choice([Channel.WEB, Channel.EMAIL, Channel.PHONE]),
            )
        )
        return
    case = Case.objects.get(pk=rng.choice(cases).pk)
    agent = case.assignee or rng.choice(agents)
    if action == "reply" and case.is_open:
        desk.case_reply(case=case, agent=agent, body="Here is the fix.", seen_version=case.version)
    elif action == "solve" and case.is_open:
        desk.case_update(
            case=case,
            actor=agent.user,
            seen_version=case.version,
            status=Status.RESOLVED,
            priority=case.priority,
            category=case.category,
            assignee=case.assignee,
        )
    elif action == "reopen" and case.status == Status.RESOLVED:
        customer.case_customer_reopen(case=case, contact=case.contact)
    elif action == "rate" and case.status == Status.RESOLVED:
        customer.case_rate(
            case=case, score=rng.randint(1, 5), recommend=rng.choice([None, 0, 6, 7, 9, 10])
        )
    elif action == "move" and case.is_open:
        desk.case_update(
            case=case,
            actor=agent.user,
            seen_version=case.version,
            status=case.status,
            priority=case.priority,
            category=case.category,
            assignee=rng.choice(agents),
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_passes_over_changes_equal_a_rebuild(db, seed):
    rng = random.Random(seed)
    teams = [TeamFactory(name=f"Team {n}") for n in range(2)]
    agents = [AgentFactory(team=teams[n % 2]) for n in range(4)]
    contacts = [ContactFactory(owner=agents[n % 4] if n % 3 else None) for n in range(5)]
    # Outcomes of both kinds: a first response due at once is always missed.
    policy = SlaPolicy.objects.create(name="Standard", is_default=True)
    SlaTarget.objects.create(
        policy=policy,
        priority=Priority.NORMAL,
        first_response_minutes=0,
        next_reply_minutes=60,
        resolution_minutes=60,
    )
    cases = []
    rollup_rebuild()
    for _round in range(3):
        for _ in range(30):
            step(rng, cases, agents, contacts)
        rollup_refresh()
    kept, kept_narrow, kept_channel = snapshot(), snapshot(TeamDay), snapshot(ChannelDay)
    kept_team_channel = snapshot(TeamChannelDay)
    changes = sorted(AgentChange.objects.values_list("case_id", "contact_id", "previous_day"))
    # The narrow rows are the wide ones summed over channel and category.
    assert sum(row[1][0] for row in kept_narrow) == sum(row[1][0] for row in kept)
    totals = {name: sum(row[1][COUNTERS.index(name)] for row in kept) for name in COUNTERS}
    assert totals["solved"] and totals["rated"] and totals["handoffs"]
    assert totals["first_response_missed"] and totals["resolution_met"]
    rollup_rebuild()
    assert snapshot() == kept
    assert snapshot(TeamDay) == kept_narrow
    assert snapshot(ChannelDay) == kept_channel
    assert snapshot(TeamChannelDay) == kept_team_channel
    assert sorted(AgentChange.objects.values_list("case_id", "contact_id", "previous_day")) == (
        changes
    )
    assert CaseFact.objects.count() == len(cases)


def test_a_pass_takes_in_only_what_changed_since_the_last(db, agent, customer):
    case = intake.case_open(contact=customer, subject="One", body="x", channel=Channel.WEB)
    assert rollup_refresh() == 1  # the first pass builds it all
    assert rollup_refresh() == 1  # the case changed within the overlap: read again
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert rollup_refresh() == 0
    desk.case_reply(case=case, agent=agent, body="Hello", seen_version=case.version)
    assert rollup_refresh() == 1
    assert CaseFact.objects.get(pk=case.pk).agent_replies == 1


def test_a_case_moved_to_another_team_leaves_its_old_day_row(db, agent, customer):
    other = AgentFactory(team=TeamFactory(name="Billing"))
    case = intake.case_open(contact=customer, subject="One", body="x", channel=Channel.WEB)
    rollup_rebuild()
    desk.case_update(
        case=case,
        actor=agent.user,
        seen_version=Case.objects.get(pk=case.pk).version,
        status=Status.OPEN,
        priority=case.priority,
        category=None,
        assignee=other,
    )
    rollup_refresh()
    rows = DailyRollup.objects.filter(created__gt=0)
    assert [(row.team_id, row.created) for row in rows] == [(other.team_id, 1)]


def test_a_pass_leaves_the_old_days_of_every_changed_case(db, agent):
    """Two cases, each solved the day after it opened, three days apart, are both
    reopened: neither solved day keeps its solve (each is a day only the old facts had)."""
    contact = ContactFactory()
    cases = []
    for days_ago in (5, 2):
        case = intake.case_open(contact=contact, subject="One", body="x", channel=Channel.WEB)
        solved = timezone.now() - timedelta(days=days_ago)
        Case.objects.filter(pk=case.pk).update(
            status=Status.RESOLVED, created_at=solved - timedelta(days=1), resolved_at=solved
        )
        cases.append(case)
    rollup_rebuild()
    assert sum(row.solved for row in DailyRollup.objects.all()) == 2
    for case in cases:
        customer.case_customer_reopen(case=Case.objects.get(pk=case.pk), contact=contact)
    rollup_refresh()
    assert sum(row.solved for row in DailyRollup.objects.all()) == 0


def test_the_rebuild_command(db, agent, customer):
    intake.case_open(contact=customer, subject="One", body="x", channel=Channel.WEB)
    call_command("reports_rebuild")
    assert DailyRollup.objects.get().created == 1
    assert RollupState.objects.get(pk=1).refreshed_at is not None
    today = timezone.localdate()
    call_command("reports_rebuild", "--since", today.isoformat())
    assert DailyRollup.objects.get().created == 1


def test_the_rebuild_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reports_rebuild", "--since", "last tuesday")


def test_facts_and_outcomes_count_on_the_local_day(db, agent, settings):
    """In New York, a case opened and solved at 02:00 UTC on 5 November belongs to the 4th
    (21:00 local), and so does its response-time outcome at 03:00 UTC."""
    settings.TIME_ZONE = "America/New_York"
    early = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
    case = intake.case_open(contact=ContactFactory(), subject="Late", body="x", channel=Channel.WEB)
    Case.objects.filter(pk=case.pk).update(
        created_at=early, first_response_at=early, resolved_at=early, status=Status.RESOLVED
    )
    SlaOutcome.objects.create(
        case=case,
        target="resolution",
        due_at=early,
        done_at=early + timedelta(hours=1),
        met=True,
        margin_seconds=0,
    )
    rollup_rebuild()

    fact = CaseFact.objects.get(pk=case.pk)
    local = date(2026, 11, 4)
    assert (fact.created_day, fact.first_response_day, fact.resolved_day) == (local,) * 3
    row = DailyRollup.objects.get(day=local)
    assert (row.created, row.solved, row.resolution_met) == (1, 1, 1)
    assert not DailyRollup.objects.filter(day=date(2026, 11, 5)).exists()
