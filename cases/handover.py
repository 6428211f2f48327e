"""The handover of a leaving agent: their contacts and open cases go to a successor in
one step, and a contact's owner change carries the contact's open cases along."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, Team
from cases.models import OPEN_STATUSES, Case, CaseEvent
from cases.said import Said
from cases.timeline import case_record
from cases.transitions import assignee_set, case_change
from contacts.models import Contact, OwnerChange
from contacts.services import contact_change_owner


@transaction.atomic
def agent_reassign_all(
    *, leaving: Agent, successor: Agent, actor: AbstractBaseUser
) -> tuple[int, int]:
    """Move a leaving agent's contacts and open cases to a successor, in one transaction.

    Returns (contacts moved, cases moved). Every moved case gets a timeline line.
    """
    if leaving.pk == successor.pk:
        raise ValueError("An agent cannot hand their work to themselves.")
    owned = list(Contact.objects.select_for_update().filter(owner=leaving))
    Contact.objects.filter(pk__in=[contact.pk for contact in owned]).update(owner=successor)
    OwnerChange.objects.bulk_create(
        OwnerChange(
            contact=contact,
            previous_owner=leaving,
            new_owner=successor,
            actor=actor,
            reason=f"{leaving.name}'s work was handed over.",
        )
        for contact in owned
    )
    contacts = len(owned)
    cases = list(
        Case.objects.select_for_update().filter(assignee=leaving, status__in=OPEN_STATUSES)
    )
    for case in cases:
        case.assignee = successor
        case.team = successor.team or case.team
        case.updated_at = timezone.now()
        case_record(
            case,
            actor=actor,
            kind=CaseEvent.Kind.REASSIGNED,
            detail=Said("handed_over", before=leaving.name, after=successor.name),
        )
    Case.objects.bulk_update(
        cases, ["assignee", "team", "version", "last_activity_at", "last_activity_by", "updated_at"]
    )
    Team.objects.filter(lead=leaving).update(lead=successor)
    Agent.objects.filter(backup=leaving).exclude(pk=successor.pk).update(backup=successor)
    Agent.objects.filter(pk=successor.pk, backup=leaving).update(backup=None)
    return contacts, len(cases)


@transaction.atomic
def contact_owner_change(
    *,
    contact: Contact,
    new_owner: Agent,
    actor: AbstractBaseUser,
    reason: str = "",
    move_open_cases: bool = True,
) -> tuple[OwnerChange, int]:
    """Give a contact a new single point of contact (contacts.services records who did it
    and why); with move_open_cases, the contact's open cases follow the new owner, each
    with a line on its timeline. Returns the record and how many cases moved."""
    change = contact_change_owner(contact=contact, new_owner=new_owner, actor=actor, reason=reason)
    moved = 0
    if move_open_cases:
        candidates = (
            Case.objects.filter(contact=contact, status__in=OPEN_STATUSES)
            .exclude(assignee=new_owner)
            .order_by("pk")
        )
        for case in candidates:
            with case_change(case) as case:
                # Looked at again under the lock: it may have closed or moved meanwhile.
                if not case.is_open or case.assignee_id == new_owner.pk:
                    continue
                assignee_set(case, new_owner, actor=actor, why="The contact's owner changed.")
                moved += 1
    return change, moved
