import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from agents.models import Team
from cases import intake, routing
from cases.models import Case, CaseEvent, Status
from contacts.models import Contact, OwnerChange
from tests.cases.held_routing import routing_held
from tests.factories import AgentFactory, CaseFactory, CategoryFactory, ContactFactory, TeamFactory

pytestmark = pytest.mark.django_db


def away(agent, days=3):
    agent.away_until = timezone.now() + timedelta(days=days)
    agent.save()
    return agent


def routed(case) -> str:
    return CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ROUTED).detail


def test_available_owner_gets_the_case(agent, other_agent):
    contact = ContactFactory(owner=agent)
    case = CaseFactory(contact=contact)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == agent
    assert case.team == agent.team
    assert routed(case) == "Routed to Ana Silva, the contact's owner."


def test_away_owner_routes_to_backup(agent, other_agent):
    away(agent)
    agent.backup = other_agent
    agent.save()
    case = CaseFactory(contact=ContactFactory(owner=agent))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == other_agent
    assert "Ana Silva is away until" in routed(case)
    assert "routed to backup Ben Carter" in routed(case)


def test_owner_away_and_backup_away_goes_to_least_loaded_of_team(team, agent, other_agent):
    third = AgentFactory(team=team, user__first_name="Chloé", user__last_name="Martin")
    away(agent)
    away(other_agent)
    agent.backup = other_agent
    agent.save()
    category = CategoryFactory(default_team=team)
    case = CaseFactory(contact=ContactFactory(owner=agent), category=category)

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == third
    assert "backup Ben Carter is away until" in routed(case)
    assert "least-loaded available agent of Customer Care" in routed(case)


def test_least_loaded_agent_is_chosen_by_open_cases(team, agent, other_agent):
    CaseFactory.create_batch(3, assignee=agent, status=Status.OPEN)
    CaseFactory.create_batch(5, assignee=other_agent, status=Status.CLOSED)
    CaseFactory(assignee=other_agent, status=Status.WAITING)
    case = CaseFactory(category=CategoryFactory(default_team=team))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == other_agent
    assert "(1 open)" in routed(case)


def test_owner_without_backup_goes_to_team(team, agent, other_agent):
    away(agent)
    case = CaseFactory(
        contact=ContactFactory(owner=agent), category=CategoryFactory(default_team=team)
    )

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == other_agent
    assert "no backup is named" in routed(case)


def test_owner_who_left_is_not_given_cases(team, agent, other_agent):
    agent.user.is_active = False
    agent.user.save()
    case = CaseFactory(
        contact=ContactFactory(owner=agent), category=CategoryFactory(default_team=team)
    )

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == other_agent
    assert "Ana Silva has left the desk" in routed(case)


def test_no_available_agent_leaves_case_unassigned_in_team_queue(team, agent):
    away(agent)
    case = CaseFactory(category=CategoryFactory(default_team=team))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee is None
    assert case.team == team
    assert "left unassigned in the Customer Care queue" in routed(case)
    assert case.contact.owner is None


def test_a_new_contact_from_the_form_is_saved_with_their_owner_or_without_one(team, agent):
    category = CategoryFactory(default_team=team)
    first = intake.case_open_from_web(
        name="Maria Garcia",
        email="maria@customer.example",
        subject="Lamp",
        body="Broken.",
        category=category,
    )
    away(agent)
    second = intake.case_open_from_web(
        name="Olu Ade",
        email="olu@customer.example",
        subject="Chair",
        body="Late.",
        category=category,
    )

    assert first.contact.owner == agent
    assert Contact.objects.get(email="maria@customer.example").owner == agent
    assert OwnerChange.objects.get(contact=first.contact).new_owner == agent
    assert second.assignee is None
    assert Contact.objects.get(email="olu@customer.example").owner is None
    assert not OwnerChange.objects.filter(contact=second.contact).exists()


def test_case_without_category_goes_to_the_default_team(agent):
    billing = TeamFactory(name="Billing", is_default=True)
    billing_agent = AgentFactory(team=billing)
    case = CaseFactory()

    routing.route(case)

    case.refresh_from_db()
    assert case.team == billing
    assert case.assignee == billing_agent


def test_a_new_default_team_takes_the_next_case_without_one(agent):
    billing = TeamFactory(name="Billing", is_default=True)
    AgentFactory(team=billing)
    routing.route(CaseFactory())  # the default team is now kept with the desk's lists
    support = TeamFactory(name="Support")
    support_agent = AgentFactory(team=support)

    billing.is_default = False
    billing.save()
    support.is_default = True
    support.save()
    case = CaseFactory()
    routing.route(case)

    case.refresh_from_db()
    assert case.team == support
    assert case.assignee == support_agent


def test_without_any_team_a_case_stays_unassigned_and_says_so():
    Team.objects.all().delete()
    case = CaseFactory(team=None, category=None)

    routing.route(case)

    case.refresh_from_db()
    assert case.team is None and case.assignee is None
    assert "no team for this category, left unassigned." in routed(case)


def test_contact_without_owner_gets_the_agent_of_their_first_case(team, agent):
    contact = ContactFactory()
    case = CaseFactory(contact=contact, category=CategoryFactory(default_team=team))

    routing.route(case)

    contact.refresh_from_db()
    assert contact.owner == agent
    assert "Ana Silva becomes the contact's owner" in routed(case)


def test_backup_does_not_become_owner(agent, other_agent):
    away(agent)
    agent.backup = other_agent
    agent.save()
    contact = ContactFactory(owner=agent)

    routing.route(CaseFactory(contact=contact))

    contact.refresh_from_db()
    assert contact.owner == agent


def test_owner_back_from_leave_gets_cases_again(agent, other_agent):
    agent.away_until = timezone.now() - timedelta(minutes=1)
    agent.backup = other_agent
    agent.save()
    case = CaseFactory(contact=ContactFactory(owner=agent))

    routing.route(case)

    case.refresh_from_db()
    assert case.assignee == agent


def route_at_once(cases):
    """Route several cases from as many threads, released together."""
    barrier, errors = threading.Barrier(len(cases)), []

    def work(case_id):
        try:
            barrier.wait(timeout=10)
            routing.route(Case.objects.get(pk=case_id))
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(case.pk,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_two_cases_of_a_new_contact_routed_at_once_get_one_owner():
    team = TeamFactory()
    AgentFactory.create_batch(2, team=team)
    category = CategoryFactory(default_team=team)
    contact = ContactFactory()
    cases = CaseFactory.create_batch(2, contact=contact, category=category)

    route_at_once(cases)

    contact.refresh_from_db()
    assert contact.owner is not None
    assert [Case.objects.get(pk=case.pk).assignee for case in cases] == [contact.owner] * 2


@pytest.mark.django_db(transaction=True)
def test_two_cases_routed_at_once_go_to_different_idle_agents():
    team = TeamFactory()
    first, second = AgentFactory.create_batch(2, team=team)
    category = CategoryFactory(default_team=team)

    route_at_once(CaseFactory.create_batch(2, category=category))

    assert [Case.objects.filter(assignee=agent).count() for agent in (first, second)] == [1, 1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="row locks: SQLite has one writer at a time (CI runs this on PostgreSQL)",
)
def test_a_routing_does_not_wait_for_another_that_has_not_committed():
    team = TeamFactory()
    first, second = AgentFactory.create_batch(2, team=team)
    category = CategoryFactory(default_team=team)
    held, waiting = CaseFactory.create_batch(2, category=category)
    with routing_held(held), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting would fail
        routing.route(Case.objects.get(pk=waiting.pk))

    assert {Case.objects.get(pk=case.pk).assignee for case in (held, waiting)} == {first, second}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="row locks: SQLite has one writer at a time (CI runs this on PostgreSQL)",
)
def test_an_agent_given_a_case_while_the_choice_was_read_is_passed_over():
    """The choice reads loads as they were when it began; an agent whose case committed
    between then and the lock is locked as they are now, with one more case. The query
    here is routing's own, slowed down in its scan so that the commit lands in between."""
    team = TeamFactory()
    first, second = AgentFactory.create_batch(2, team=team)
    category = CategoryFactory(default_team=team)
    held = CaseFactory(category=category)
    sql = routing.least_loaded_sql("FOR UPDATE OF l SKIP LOCKED")
    slowed = sql.replace(" WHERE ", " WHERE pg_sleep(0.2) IS NOT NULL AND ", 1)
    with routing_held(held) as release:
        threading.Timer(0.1, release.set).start()  # commits while the scan sleeps
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(slowed, [team.pk, True, timezone.now()])
            (chosen, _user), (load,) = routing.AGENT.build(cursor.fetchone())

    assert Case.objects.get(pk=held.pk).assignee == first
    assert (chosen, load) == (second, 0)


def test_least_loaded_agent_back_at_this_very_moment_is_available(
    team, agent, other_agent, django_assert_num_queries
):
    now = timezone.now()
    CaseFactory(assignee=other_agent, status=Status.OPEN)
    agent.away_until = now + timedelta(microseconds=1)
    agent.save()

    assert routing.least_loaded_agent(team, now) == (other_agent, 1)

    agent.away_until = now
    agent.save()
    with django_assert_num_queries(1):
        chosen, load = routing.least_loaded_agent(team, now)
        assert (chosen, load, chosen.user.username) == (agent, 0, agent.user.username)
        assert chosen.name == "Ana Silva"  # the user came with the agent
