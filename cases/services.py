import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from cases import outbound, routing
from cases.attachments import attachments_store
from cases.models import OPEN_STATUSES, Case, CaseEvent, Category, Channel
from contacts.models import Contact
from contacts.services import contact_get_or_create
from helpdesk.models import Agent


@transaction.atomic
def case_open(
    *,
    contact: Contact,
    subject: str,
    body: str,
    channel: Channel,
    category: Category | None = None,
    uploads=(),
    content_types=(),
    submission_token: uuid.UUID | None = None,
    actor: AbstractBaseUser | None = None,
) -> Case:
    """Open a case with its first message, route it, and acknowledge it after commit."""
    case = Case.objects.create(
        contact=contact,
        subject=subject,
        channel=channel,
        category=category,
        priority=category.default_priority
        if category
        else Case._meta.get_field("priority").default,
        team=category.default_team if category else None,
        submission_token=submission_token,
    )
    message = case.messages.create(author_contact=contact, body=body, channel=channel)
    if uploads:
        attachments_store(message=message, uploads=uploads, content_types=list(content_types))
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.CREATED,
        detail=f"Opened by {contact.name} through the {Channel(channel).label.lower()}.",
    )
    routing.route(case, actor=actor)
    outbound.case_acknowledge(case=case)
    return case


@transaction.atomic
def case_open_from_web(
    *,
    name: str,
    email: str,
    subject: str,
    body: str,
    category: Category | None,
    uploads=(),
    content_types=(),
    language: str = "",
    submission_token: uuid.UUID | None = None,
) -> Case:
    """The contact form: find or create the contact by email, then open the case."""
    contact, _ = contact_get_or_create(email=email, name=name, language=language)
    return case_open(
        contact=contact,
        subject=subject,
        body=body,
        channel=Channel.WEB,
        category=category,
        uploads=uploads,
        content_types=content_types,
        submission_token=submission_token,
    )


@transaction.atomic
def agent_reassign_all(
    *, leaving: Agent, successor: Agent, actor: AbstractBaseUser
) -> tuple[int, int]:
    """Move a leaving agent's contacts and open cases to a successor, in one transaction.

    Returns (contacts moved, cases moved). Every moved case gets a timeline line.
    """
    if leaving.pk == successor.pk:
        raise ValueError("An agent cannot hand their work to themselves.")
    contacts = Contact.objects.filter(owner=leaving).update(owner=successor)
    cases = list(
        Case.objects.select_for_update().filter(assignee=leaving, status__in=OPEN_STATUSES)
    )
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(
        assignee=successor, team=successor.team or leaving.team
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            actor=actor,
            kind=CaseEvent.Kind.REASSIGNED,
            detail=(
                f"Reassigned from {leaving.name} to {successor.name}: "
                f"{leaving.name}'s work was handed over."
            ),
        )
        for case in cases
    )
    Agent.objects.filter(backup=leaving).exclude(pk=successor.pk).update(backup=successor)
    Agent.objects.filter(pk=successor.pk, backup=leaving).update(backup=None)
    return contacts, len(cases)
