import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client
from django.urls import reverse

from cases.handover import contact_owner_change as contact_change_owner
from cases.models import Case, CaseEvent, Status
from contacts.models import Contact, OwnerChange
from tests.factories import AgentFactory, CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db

OPEN = (Status.NEW, Status.OPEN, Status.WAITING)


@pytest.fixture
def maria(agent):
    return ContactFactory(name="Maria Garcia", owner=agent)


@pytest.fixture
def her_cases(agent, maria):
    """Three open cases with Ana, and a resolved and a closed one."""
    return {
        status: CaseFactory(contact=maria, assignee=agent, status=status)
        for status in (*OPEN, Status.RESOLVED, Status.CLOSED)
    }


def change_owner(client, contact, **data):
    data.setdefault("move_open_cases", "on")
    return client.post(reverse("contacts:change_owner", args=[contact.pk]), data)


# The service


def test_changing_the_owner_records_who_from_to_and_why(agent, other_agent, manager, maria):
    change, moved = contact_change_owner(
        contact=maria, new_owner=other_agent, actor=manager.user, reason="  Ana changed team. "
    )

    maria.refresh_from_db()
    assert maria.owner == other_agent
    assert (change.contact, change.previous_owner, change.new_owner) == (maria, agent, other_agent)
    assert (change.actor, change.reason) == (manager.user, "Ana changed team.")
    assert moved == 0


def test_open_cases_follow_the_new_owner_each_with_a_timeline_line(
    agent, other_agent, manager, maria, her_cases
):
    already = CaseFactory(contact=maria, assignee=other_agent, status=Status.OPEN)

    _, moved = contact_change_owner(contact=maria, new_owner=other_agent, actor=manager.user)

    assert moved == 3
    for status, case in her_cases.items():
        case.refresh_from_db()
        assert case.assignee == (other_agent if status in OPEN else agent), status
    moved_events = CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED)
    assert {event.case_id for event in moved_events} == {her_cases[s].pk for s in OPEN}
    event = moved_events.first()
    assert event.actor == manager.user
    assert event.detail == "Assignee: Ana Silva → Ben Carter. The contact's owner changed."
    assert event.case_version == event.case.version == 1
    assert not already.events.exists()


def test_the_cases_can_stay_where_they_are(agent, other_agent, maria, her_cases):
    _, moved = contact_change_owner(
        contact=maria, new_owner=other_agent, actor=agent.user, move_open_cases=False
    )

    assert moved == 0
    assert Contact.objects.get(pk=maria.pk).owner == other_agent
    assert all(Case.objects.get(pk=case.pk).assignee == agent for case in her_cases.values())
    assert not CaseEvent.objects.exists()


def test_a_contact_without_an_owner_gets_one(agent):
    contact = ContactFactory()

    change, _ = contact_change_owner(contact=contact, new_owner=agent, actor=agent.user)

    assert change.previous_owner is None
    assert Contact.objects.get(pk=contact.pk).owner == agent


@pytest.mark.parametrize("active", [True, False])
def test_the_service_refuses_the_current_owner_or_an_inactive_agent(
    agent, maria, her_cases, active
):
    new_owner = agent if active else AgentFactory(user__is_active=False)

    with pytest.raises(ValidationError):
        contact_change_owner(contact=maria, new_owner=new_owner, actor=agent.user)

    assert Contact.objects.get(pk=maria.pk).owner == agent
    assert not OwnerChange.objects.exists()
    assert not CaseEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_owner_changes_at_once_take_turns_and_the_history_stays_a_chain(team):
    ana, ben, carl = AgentFactory.create_batch(3, team=team)
    contact = ContactFactory(owner=ana)
    cases = CaseFactory.create_batch(2, contact=contact, assignee=ana, status=Status.OPEN)
    barrier, errors = threading.Barrier(2), []

    def work(new_owner):
        try:
            barrier.wait(timeout=10)
            # Both start from the contact as they saw it: owned by Ana.
            contact_change_owner(contact=contact, new_owner=new_owner, actor=ana.user)
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in (ben, carl)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    first, second = OwnerChange.objects.order_by("pk")
    assert first.previous_owner == ana
    assert second.previous_owner == first.new_owner
    final = Contact.objects.get(pk=contact.pk).owner
    assert final == second.new_owner
    assert {Case.objects.get(pk=case.pk).assignee for case in cases} == {final}


# The form on the contact page


def test_agent_changes_the_owner_and_sees_it_confirmed(
    client, agent, other_agent, maria, her_cases
):
    client.force_login(agent.user)

    response = change_owner(client, maria, new_owner=other_agent.pk, reason="Ben speaks Spanish")

    assert response.status_code == 302
    assert response.url == reverse("contacts:detail", args=[maria.pk])
    page = client.get(response.url).content.decode()
    assert "Ben Carter now owns Maria Garcia. 3 open cases moved to them." in page
    assert "Ana Silva → Ben Carter</strong> by Ana Silva: Ben speaks Spanish" in page
    assert OwnerChange.objects.get().actor == agent.user
    assert her_cases[Status.NEW].events.get().actor == agent.user


def test_an_unticked_box_keeps_the_cases_with_their_assignees(
    client, agent, other_agent, maria, her_cases
):
    client.force_login(agent.user)

    response = client.post(
        reverse("contacts:change_owner", args=[maria.pk]), {"new_owner": other_agent.pk}
    )

    assert response.status_code == 302
    assert Contact.objects.get(pk=maria.pk).owner == other_agent
    assert not CaseEvent.objects.exists()


def bad_inputs(agent):
    inactive = AgentFactory(user__is_active=False)
    return {
        "same owner": ({"new_owner": agent.pk}, "Ana Silva already owns Maria Garcia."),
        "inactive agent": ({"new_owner": inactive.pk}, "Choose an active agent from the list."),
        "unknown agent": ({"new_owner": 424242}, "Choose an active agent from the list."),
        "not a number": ({"new_owner": "1 OR 1=1"}, "Choose an active agent from the list."),
        "missing owner": ({"new_owner": ""}, "This field is required."),
        "long reason": (
            {"new_owner": "other", "reason": "x" * 301},
            "Ensure this value has at most 300 characters (it has 301).",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "same owner",
        "inactive agent",
        "unknown agent",
        "not a number",
        "missing owner",
        "long reason",
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_changes(
    client, agent, other_agent, maria, her_cases, case
):
    data, error = bad_inputs(agent)[case]
    if data["new_owner"] == "other":
        data["new_owner"] = other_agent.pk
    client.force_login(agent.user)

    response = change_owner(client, maria, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Contact.objects.get(pk=maria.pk).owner == agent
    assert not OwnerChange.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_reason_of_300_characters_is_kept_whole(client, agent, other_agent, maria):
    client.force_login(agent.user)

    assert (
        change_owner(client, maria, new_owner=other_agent.pk, reason="y" * 300).status_code == 302
    )
    assert OwnerChange.objects.get().reason == "y" * 300


def test_changing_the_owner_needs_the_csrf_token(agent, other_agent, maria):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)

    refused = change_owner(client, maria, new_owner=other_agent.pk)
    assert refused.status_code == 403
    assert not OwnerChange.objects.exists()

    client.get(reverse("contacts:detail", args=[maria.pk]))
    token = client.cookies["csrftoken"].value
    accepted = change_owner(client, maria, new_owner=other_agent.pk, csrfmiddlewaretoken=token)
    assert accepted.status_code == 302
    assert OwnerChange.objects.get().new_owner == other_agent


def test_owner_changes_are_listed_in_the_admin(client, manager, agent, other_agent, maria):
    contact_change_owner(contact=maria, new_owner=other_agent, actor=agent.user, reason="Leave")
    client.force_login(manager.user)

    response = client.get(reverse("admin:contacts_ownerchange_changelist"))

    assert response.status_code == 200
    assert "Ben Carter" in response.content.decode()
