"""The weekly digest: who gets it, when (their Monday morning), once, in their language."""

from datetime import UTC, datetime, timedelta

import pytest

from cases.models import Status
from outbox.models import OutboundEmail
from reports.digest import digests_send
from reports.rollup import rollup_rebuild
from tests.factories import AgentFactory, CaseFactory, ContactFactory, TeamFactory, UserFactory

# Monday 23 November 2026, 08:30 UTC; last week is 16 to 22 November.
MONDAY = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


@pytest.fixture
def week(db, team, agent):
    for day in (16, 18, 22):  # three solved last week
        when = datetime(2026, 11, day, 10, tzinfo=UTC)
        CaseFactory(
            team=team,
            assignee=agent,
            contact=ContactFactory(owner=agent),
            created_at=when,
            resolved_at=when + timedelta(hours=2),
            status=Status.RESOLVED,
        )
    when = datetime(2026, 11, 10, 10, tzinfo=UTC)  # one the week before
    CaseFactory(team=team, assignee=agent, created_at=when, resolved_at=when, status="resolved")
    rollup_rebuild(now=MONDAY)


def digests():
    return list(OutboundEmail.objects.filter(kind=OutboundEmail.Kind.DIGEST).order_by("to"))


def test_a_manager_gets_last_weeks_figures_on_monday_morning(week, manager):
    manager.user.email = "maya@desk.example"
    manager.user.save()
    assert digests_send(now=MONDAY) == 1
    (mail,) = digests()
    assert mail.to == "maya@desk.example"
    assert mail.subject.endswith("16 November to 22 November 2026")
    assert "all teams" in mail.body_text
    assert "- New cases: 3 (1)" in mail.body_text
    assert "- Solved: 3 (1)" in mail.body_text
    assert "- Resolution, median: ≤ 2 h (≤ 15 min)" in mail.body_text
    assert "start=2026-11-16&end=2026-11-22" in mail.body_text
    assert "Open now: 0, of which 0 overdue." in mail.body_text
    # Once a week, however often the hourly pass runs that Monday.
    assert digests_send(now=MONDAY + timedelta(hours=1)) == 0
    assert len(digests()) == 1


@pytest.mark.parametrize(
    "moment",
    [
        MONDAY.replace(hour=7, minute=59),  # before eight
        MONDAY - timedelta(days=1),  # Sunday
        MONDAY + timedelta(days=1),  # Tuesday
    ],
)
def test_not_outside_monday_morning(week, manager, moment):
    assert digests_send(now=moment) == 0


def test_each_in_their_own_time_zone_and_language(week, team):
    paris = AgentFactory(
        user=UserFactory(is_staff=True, email="paris@desk.example"),
        time_zone="Europe/Paris",
        languages="fr",
    )
    new_york = AgentFactory(
        user=UserFactory(is_staff=True, email="ny@desk.example"),
        time_zone="America/New_York",
        languages="es,en",
    )
    # 07:30 UTC is 08:30 in Paris and 02:30 in New York.
    assert digests_send(now=MONDAY - timedelta(hours=1)) == 1
    (mail,) = digests()
    assert mail.to == paris.user.email
    assert mail.subject.startswith("Votre semaine sur")
    assert "16 novembre" in mail.subject
    assert "- Nouvelles demandes: 3 (1)" in mail.body_text
    # 13:00 UTC is 08:00 in New York.
    assert digests_send(now=MONDAY.replace(hour=13, minute=0)) == 1
    spanish = [m for m in digests() if m.to == new_york.user.email][0]
    assert spanish.subject.startswith("Su semana en")
    assert "Casos nuevos: 3 (1)" in spanish.body_text


def test_a_team_lead_gets_their_teams_and_agents_get_none(week, team, agent):
    lead = AgentFactory(team=team, user=UserFactory(email="lead@desk.example"))
    team.lead = lead
    team.save()
    other = TeamFactory(name="Billing")
    other_agent = AgentFactory(team=other)
    CaseFactory(
        team=other,
        assignee=other_agent,
        created_at=datetime(2026, 11, 17, tzinfo=UTC),
        status=Status.NEW,
    )
    rollup_rebuild(now=MONDAY)
    agent.user.email = "ana@desk.example"
    agent.user.save()
    assert digests_send(now=MONDAY) == 1
    (mail,) = digests()
    assert mail.to == "lead@desk.example"
    assert "for Customer Care," in mail.body_text
    assert "- New cases: 3 (1)" in mail.body_text  # not Billing's case


def test_nobody_without_an_address_or_who_left(week, manager):
    manager.user.email = ""
    manager.user.save()
    AgentFactory(user=UserFactory(is_staff=True, is_active=False, email="gone@desk.example"))
    assert digests_send(now=MONDAY) == 0


def test_the_mail_reads_well(week, manager):
    digests_send(now=MONDAY)
    (mail,) = digests()
    assert "<table" in mail.body_html and "Maya" in mail.body_html
