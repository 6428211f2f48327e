import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseEvent, Status
from contacts.models import Contact, OwnerChange
from tests.factories import AgentFactory, CaseFactory, ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db

ADMIN_LISTS = [
    "admin:agents_team_changelist",
    "admin:agents_agent_changelist",
    "admin:contacts_organization_changelist",
    "admin:contacts_contact_changelist",
    "admin:cases_category_changelist",
    "admin:cases_case_changelist",
    "admin:cases_message_changelist",
    "admin:cases_attachment_changelist",
    "admin:cases_caseevent_changelist",
    "admin:outbox_outboundemail_changelist",
]


def test_every_model_has_an_admin_list(client, manager, agent):
    MessageFactory(case=CaseFactory(assignee=agent))
    client.force_login(manager.user)

    for name in ADMIN_LISTS:
        assert client.get(reverse(name)).status_code == 200, name


def test_cases_can_be_found_by_reference_in_admin(client, manager):
    case = CaseFactory(subject="Printer on fire")
    CaseFactory(subject="Something else")
    client.force_login(manager.user)

    response = client.get(reverse("admin:cases_case_changelist"), {"q": case.reference})

    assert list(response.context["cl"].result_list) == [case]


def reassign(client, leaving, successor):
    return client.post(
        reverse("admin:agents_agent_changelist"),
        {
            "action": "reassign_work",
            ACTION_CHECKBOX_NAME: [leaving.pk],
            "apply": "1",
            "successor": successor.pk if successor else "",
        },
        follow=True,
    )


def test_reassigning_a_leaving_agent_moves_contacts_and_open_cases(
    client, manager, agent, other_agent
):
    contacts = ContactFactory.create_batch(2, owner=agent)
    open_cases = [
        CaseFactory(assignee=agent, status=status)
        for status in (Status.NEW, Status.OPEN, Status.WAITING)
    ]
    closed = CaseFactory(assignee=agent, status=Status.CLOSED)
    colleague = AgentFactory(backup=agent)
    client.force_login(manager.user)

    confirm = client.post(
        reverse("admin:agents_agent_changelist"),
        {"action": "reassign_work", ACTION_CHECKBOX_NAME: [agent.pk]},
    )
    assert "Hand their contacts and open cases to" in confirm.content.decode()
    response = reassign(client, agent, other_agent)

    assert "2 contacts and 3 open cases moved to Ben Carter." in response.content.decode()
    assert {
        contact.owner for contact in Contact.objects.filter(pk__in=[c.pk for c in contacts])
    } == {other_agent}
    for case in open_cases:
        case.refresh_from_db()
        assert case.assignee == other_agent
        event = case.events.get(kind=CaseEvent.Kind.REASSIGNED)
        assert event.detail.startswith("Reassigned from Ana Silva to Ben Carter")
        assert event.actor == manager.user
    closed.refresh_from_db()
    assert closed.assignee == agent
    colleague.refresh_from_db()
    assert colleague.backup == other_agent
    history = OwnerChange.objects.filter(contact__in=contacts)
    assert {(change.previous_owner, change.new_owner) for change in history} == {
        (agent, other_agent)
    }


def test_reassign_without_a_successor_changes_nothing(client, manager, agent):
    case = CaseFactory(assignee=agent)
    client.force_login(manager.user)

    response = reassign(client, agent, None)

    assert "This field is required." in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == agent


def test_an_agent_cannot_be_their_own_successor(client, manager, agent):
    client.force_login(manager.user)

    response = reassign(client, agent, agent)

    assert "Select a valid choice." in response.content.decode()


def test_agents_with_cases_cannot_be_deleted(agent):
    from django.db.models import ProtectedError

    CaseFactory(assignee=agent)

    with pytest.raises(ProtectedError):
        agent.user.delete()


def test_handing_over_to_an_away_agent_warns_first(client, manager, agent, other_agent):
    from datetime import timedelta

    from django.utils import timezone

    other_agent.away_until = timezone.now() + timedelta(days=3)
    other_agent.save()
    case = CaseFactory(assignee=agent)
    client.force_login(manager.user)

    warned = reassign(client, agent, other_agent)
    case.refresh_from_db()
    assert "Ben Carter is away until" in warned.content.decode()
    assert case.assignee == agent

    done = client.post(
        reverse("admin:agents_agent_changelist"),
        {
            "action": "reassign_work",
            ACTION_CHECKBOX_NAME: [agent.pk],
            "apply": "1",
            "successor": other_agent.pk,
            "away_anyway": "on",
        },
        follow=True,
    )
    case.refresh_from_db()
    assert "moved to Ben Carter" in done.content.decode()
    assert case.assignee == other_agent


def test_response_time_targets_are_entered_in_hours_and_minutes():
    from cases.sla.admin import DurationField, DurationInput

    field = DurationField(required=False)

    assert [field.clean(v) for v in ["4h", "1h 30m", "45m", "90", " 2H 5M ", ""]] == [
        240,
        90,
        45,
        90,
        125,
        None,
    ]
    assert DurationInput().format_value(90) == "1h 30m"
    assert DurationInput().format_value(240) == "4h"
    for bad in ["soon", "1.5h", "h", "-3h"]:
        with pytest.raises(ValidationError):
            field.clean(bad)


def test_the_policy_page_shows_targets_in_hours_with_labels(client, manager):
    from tests.sla_helpers import policy

    made = policy(targets={2: (90, 240, 1440)})
    client.force_login(manager.user)

    page = client.get(reverse("admin:cases_slapolicy_change", args=[made.pk])).content.decode()

    assert 'value="1h 30m"' in page and 'value="4h"' in page and 'value="24h"' in page
    assert '<label for="id_targets-0-first_response_minutes"' in page
