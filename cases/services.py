import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import outbound, routing, sla
from cases.attachments import attachments_store
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Category,
    Channel,
    Message,
    Priority,
    Status,
)
from contacts.models import Contact, OwnerChange
from contacts.services import contact_adopt, contact_get_or_create
from helpdesk.models import Agent, Team


class CaseChanged(Exception):
    """Someone changed the case since the form was opened; nothing was written."""

    def __init__(self, events):
        self.events = list(events)
        super().__init__(self.describe())

    def describe(self) -> str:
        changes = "; ".join(
            f"{actor_name(event.actor)} at {timezone.localtime(event.created_at):%H:%M}: "
            f"{event.get_kind_display().lower()} ({event.detail})"
            for event in self.events
        )
        return f"This case changed since you opened it. {changes}"


def actor_name(user) -> str:
    if user is None:
        return "The desk"
    return user.get_full_name() or user.username


def case_event(case: Case, *, actor, kind: str, detail: str, name: str = "") -> CaseEvent:
    """One change on a case's timeline, not yet saved: raises the case's version and last
    activity. The caller saves both (it holds the row lock and may change more fields)."""
    now = timezone.now()
    case.version += 1
    case.last_activity_at = now
    case.last_activity_by = name or actor_name(actor)
    return CaseEvent(
        case=case, actor=actor, kind=kind, detail=detail, created_at=now, case_version=case.version
    )


def case_record(case: Case, *, actor, kind: str, detail: str, name: str = "") -> CaseEvent:
    """Write one change on a case's timeline (see case_event); the caller saves the case."""
    event = case_event(case, actor=actor, kind=kind, detail=detail, name=name)
    event.save()
    return event


def case_lock(case: Case, *, seen_version: int | None = None) -> Case:
    """The case, locked for this transaction, refusing if it moved past seen_version."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if seen_version is not None and locked.version != seen_version:
        raise CaseChanged(
            CaseEvent.objects.filter(case=locked, case_version__gt=seen_version)
            .select_related("actor")
            .order_by("case_version")
        )
    return locked


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
    how = Channel(channel).label.lower()
    detail = (
        f"Logged by {actor_name(actor)} from the {how} of {contact.name}."
        if actor
        else f"Opened by {contact.name} through the {how}."
    )
    case_record(case, actor=actor, kind=CaseEvent.Kind.CREATED, detail=detail, name=contact.name)
    case.save(update_fields=["version", "last_activity_at", "last_activity_by"])
    routing.route(case, actor=actor)
    sla.case_refresh(case)
    case.save(update_fields=sla.SLA_FIELDS)
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
        case_record(
            case,
            actor=actor,
            kind=CaseEvent.Kind.REASSIGNED,
            detail=(
                f"Reassigned from {leaving.name} to {successor.name}: "
                f"{leaving.name}'s work was handed over."
            ),
        )
    Case.objects.bulk_update(
        cases, ["assignee", "team", "version", "last_activity_at", "last_activity_by"]
    )
    Team.objects.filter(lead=leaving).update(lead=successor)
    Agent.objects.filter(backup=leaving).exclude(pk=successor.pk).update(backup=successor)
    Agent.objects.filter(pk=successor.pk, backup=leaving).update(backup=None)
    return contacts, len(cases)


# The desk: every change below takes the case's row lock, refuses a stale form
# (seen_version) with CaseChanged, and writes a CaseEvent per change.


def _set_status(case: Case, status: str, *, actor, notify: bool = True) -> None:
    """Change the status; with notify, tell the customer the case waits on them or is
    resolved (asking them to rate the help)."""
    if status == case.status:
        return
    now = timezone.now()
    before = case.get_status_display()
    if case.status == Status.WAITING:
        sla.waiting_ended(case, now=now)
    if case.status == Status.RESOLVED and status in OPEN_STATUSES:
        sla.resolution_resumed(case, now=now)
    if status == Status.WAITING:
        sla.waiting_started(case, now=now)
    if status in (Status.RESOLVED, Status.CLOSED) and case.is_open:
        sla.case_resolved(case, now=now)
    case.status = status
    if status == Status.RESOLVED:
        case.resolved_at = now
    elif status == Status.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    else:
        case.resolved_at = None
        case.closed_at = None
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.STATUS,
        detail=f"Status: {before} → {case.get_status_display()}.",
    )
    if notify and status == Status.RESOLVED:
        outbound.case_resolved_email(case=case)
    elif notify and status == Status.WAITING:
        outbound.case_waiting_email(case=case)


def _set_priority(case: Case, priority: int, *, actor) -> None:
    if priority == case.priority:
        return
    before = case.get_priority_display()
    case.priority = priority
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.PRIORITY,
        detail=f"Priority: {before} → {case.get_priority_display()}.",
    )


def _set_category(case: Case, category: Category | None, *, actor) -> None:
    if (category.pk if category else None) == case.category_id:
        return
    before = case.category.name if case.category_id else "none"
    case.category = category
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.CATEGORY,
        detail=f"Category: {before} → {category.name if category else 'none'}.",
    )


def _set_assignee(case: Case, assignee: Agent | None, *, actor, why: str = "") -> None:
    if (assignee.pk if assignee else None) == case.assignee_id:
        return
    before = case.assignee.name if case.assignee_id else "unassigned"
    case.assignee = assignee
    if assignee is not None and assignee.team_id:
        case.team_id = assignee.team_id
    after = assignee.name if assignee else "unassigned"
    if assignee is not None and contact_adopt(contact=case.contact, agent=assignee, actor=actor):
        why = f"{why} {assignee.name} becomes the contact's owner.".strip()
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNED,
        detail=f"Assignee: {before} → {after}." + (f" {why}" if why else ""),
    )


@transaction.atomic
def case_claim(*, case: Case, agent: Agent) -> Case:
    """Take an unassigned case (or one already mine)."""
    case = case_lock(case)
    if case.assignee_id not in (None, agent.pk):
        raise ValidationError(
            f"{case.reference} is already with {case.assignee.name}; "
            "ask them, or reassign it from the case page."
        )
    if not case.is_open:
        raise ValidationError(f"{case.reference} is {case.get_status_display().lower()}.")
    _set_assignee(case, agent, actor=agent.user, why="Claimed.")
    if case.status == Status.NEW:
        _set_status(case, Status.OPEN, actor=agent.user)
    case.save()
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: AbstractBaseUser,
    seen_version: int,
    status: str,
    priority: int,
    category: Category | None,
    assignee: Agent | None,
) -> Case:
    """Change status, priority, category and assignee from the workspace."""
    case = case_lock(case, seen_version=seen_version)
    if case.merged_into_id and status != Status.CLOSED:
        raise ValidationError("This case was merged into another; work on that one instead.")
    _set_status(case, status, actor=actor)
    _set_priority(case, priority, actor=actor)
    _set_category(case, category, actor=actor)
    _set_assignee(case, assignee, actor=actor)
    sla.case_refresh(case)
    case.save()
    return case


def _check_writable(case: Case) -> None:
    if case.status == Status.CLOSED:
        raise ValidationError(
            f"{case.reference} is closed. Reopen it (set its status) before writing on it."
        )


@transaction.atomic
def case_reply(
    *,
    case: Case,
    agent: Agent,
    body: str,
    seen_version: int,
    status_after: str = Status.WAITING,
    uploads=(),
    content_types=(),
) -> Message:
    """Answer the customer: stored now, emailed by a task after commit."""
    case = case_lock(case, seen_version=seen_version)
    _check_writable(case)
    if not body.strip():
        raise ValidationError("Write a reply before sending it.")
    message = case.messages.create(
        author_agent=agent, body=body, channel=Channel.EMAIL, is_internal=False
    )
    if uploads:
        attachments_store(message=message, uploads=uploads, content_types=list(content_types))
    sla.agent_replied(case, now=message.created_at)
    if case.first_response_at is None:
        case.first_response_at = message.created_at
    if case.assignee_id is None:
        _set_assignee(case, agent, actor=agent.user, why="Took the case by replying.")
    case_record(
        case,
        actor=agent.user,
        kind=CaseEvent.Kind.REPLIED,
        detail=f"Replied to {case.contact.name}.",
    )
    # The reply itself tells the customer we wait on them; a resolve still asks for a rating.
    _set_status(case, status_after, actor=agent.user, notify=status_after == Status.RESOLVED)
    sla.case_refresh(case)
    case.save()
    outbound.case_reply_email(message=message)
    return message


@transaction.atomic
def case_note(
    *, case: Case, agent: Agent, body: str, seen_version: int, uploads=(), content_types=()
) -> Message:
    """An internal note: for agents only, never shown or sent to the customer."""
    case = case_lock(case, seen_version=seen_version)
    if not body.strip():
        raise ValidationError("Write the note before adding it.")
    message = case.messages.create(
        author_agent=agent, body=body, channel=Channel.WEB, is_internal=True
    )
    if uploads:
        attachments_store(message=message, uploads=uploads, content_types=list(content_types))
    case_record(case, actor=agent.user, kind=CaseEvent.Kind.NOTE, detail="Added an internal note.")
    case.save()
    return message


@transaction.atomic
def case_escalate(
    *,
    case: Case,
    actor: AbstractBaseUser,
    seen_version: int,
    reason: str,
    team: Team | None = None,
) -> Case:
    """Hand a case up: to the lead of its team, or into another team's queue."""
    case = case_lock(case, seen_version=seen_version)
    _check_writable(case)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the case is escalated.")
    if team is None or team.pk == case.team_id:
        current = case.team
        if current is None or current.lead_id is None:
            raise ValidationError("This case's team has no lead to escalate to; choose a team.")
        lead = current.lead
        if not lead.user.is_active:
            raise ValidationError(f"{lead.name}, lead of {current.name}, has left; choose a team.")
        if lead.pk == case.assignee_id:
            raise ValidationError(f"{lead.name} leads {current.name} and already has this case.")
        case.assignee = lead
        detail = f"Escalated to {lead.name}, lead of {current.name}: {reason}"
    else:
        case.team = team
        case.assignee = None
        detail = f"Escalated to the {team.name} queue: {reason}"
    case_record(case, actor=actor, kind=CaseEvent.Kind.ESCALATED, detail=detail)
    case.save()
    return case


@transaction.atomic
def case_merge(*, source: Case, target: Case, actor: AbstractBaseUser, seen_version: int) -> Case:
    """Merge a duplicate into another case: its messages move, it closes with a pointer."""
    if source.pk == target.pk:
        raise ValidationError("A case cannot be merged into itself.")
    if source.contact_id != target.contact_id:
        # The target's contact would see the other customer's messages on their page.
        raise ValidationError(
            f"{target.reference} belongs to another contact; only one contact's cases merge."
        )
    # Lock both in id order so two opposite merges cannot deadlock.
    first, second = sorted([source, target], key=lambda case: case.pk)
    locked = {
        case.pk: case_lock(case, seen_version=seen_version if case.pk == source.pk else None)
        for case in (first, second)
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id:
        raise ValidationError(f"{source.reference} was already merged.")
    if target.merged_into_id or target.status == Status.CLOSED:
        raise ValidationError(f"{target.reference} is closed; merge into an open case.")
    moved = source.messages.update(case=target)
    source.merged_into = target
    case_record(
        source,
        actor=actor,
        kind=CaseEvent.Kind.MERGED,
        detail=f"Merged into {target.reference}; its {moved} messages moved there.",
    )
    _set_status(source, Status.CLOSED, actor=actor, notify=False)
    sla.case_refresh(source)
    source.save()
    case_record(
        target,
        actor=actor,
        kind=CaseEvent.Kind.MERGED,
        detail=f"{source.reference} ({source.subject}) was merged in with {moved} messages.",
    )
    target.save()
    return target


class BulkAction:
    ASSIGN = "assign"
    STATUS = "status"
    PRIORITY = "priority"
    CLOSE = "close"
    CHOICES = [
        (ASSIGN, "Assign to"),
        (STATUS, "Set status"),
        (PRIORITY, "Set priority"),
        (CLOSE, "Close"),
    ]


@transaction.atomic
def cases_bulk_update(
    *,
    cases: list[Case],
    actor: AbstractBaseUser,
    action: str,
    assignee: Agent | None = None,
    status: str | None = None,
    priority: int | None = None,
) -> int:
    """Apply one change to many cases, each recorded on its own timeline. Returns how many."""
    if not cases:
        raise ValidationError("Select at least one case.")
    changed = 0
    for case in sorted(cases, key=lambda case: case.pk):
        case = case_lock(case)
        before = case.version
        if case.merged_into_id:
            continue  # a merged case stays closed; its work goes on in the other case
        if action == BulkAction.ASSIGN:
            _set_assignee(case, assignee, actor=actor)
        elif action == BulkAction.STATUS:
            _set_status(case, status, actor=actor)
        elif action == BulkAction.PRIORITY:
            _set_priority(case, Priority(priority), actor=actor)
        elif action == BulkAction.CLOSE:
            _set_status(case, Status.CLOSED, actor=actor)
        else:
            raise ValidationError("Choose what to do with the selected cases.")
        if case.version != before:
            sla.case_refresh(case)
            case.save()
            changed += 1
    return changed


@transaction.atomic
def case_log(
    *,
    agent: Agent,
    contact: Contact | None,
    new_contact: dict | None,
    channel: Channel,
    category: Category | None,
    priority: int,
    subject: str,
    body: str,
    uploads=(),
    content_types=(),
) -> Case:
    """A case an agent logs for a customer from the phone, a chat, a visit or social media."""
    if contact is None:
        contact, _ = contact_get_or_create(**new_contact)
    case = case_open(
        contact=contact,
        subject=subject,
        body=body,
        channel=channel,
        category=category,
        uploads=uploads,
        content_types=content_types,
        actor=agent.user,
    )
    if priority != case.priority:
        _set_priority(case, priority, actor=agent.user)
        sla.case_refresh(case)
        case.save()
    return case


def case_reopen(case: Case, *, contact: Contact, detail: str, now) -> None:
    """A resolved case opens again: back with its assignee, or with the assignee's backup
    while the assignee is away. The caller holds the row lock and saves the case."""
    assignee = case.assignee
    backup = assignee.backup if assignee else None
    if assignee and not assignee.is_available(now) and backup and backup.is_available(now):
        _set_assignee(
            case,
            backup,
            actor=None,
            why=f"{assignee.name} is away; the backup takes the reopened case.",
        )
    _set_status(case, Status.OPEN, actor=None)
    case_record(case, actor=None, kind=CaseEvent.Kind.REOPENED, detail=detail, name=contact.name)


@transaction.atomic
def case_customer_reply(
    *,
    case: Case,
    contact: Contact,
    body: str,
    channel: Channel,
    uploads=(),
    content_types=(),
    message_id: str | None = None,
) -> Message:
    """The customer wrote on their case, by mail or on their case page.

    A waiting or resolved case opens again, back with its assignee, or with the
    assignee's backup while the assignee is away. A closed case stays closed: the
    message opens a follow-up case for the same contact instead.
    """
    case = case_lock(case)
    if case.merged_into_id:
        # The conversation goes on in the case this one was merged into.
        from cases.inbound import _merged_target

        case = case_lock(_merged_target(case))
    if case.status == Status.CLOSED:
        follow_up = case_open(
            contact=contact,
            subject=f"Follow-up to {case.reference}: {case.subject}"[:200],
            body=body,
            channel=channel,
            category=case.category,
            uploads=uploads,
            content_types=content_types,
        )
        message = follow_up.messages.get()
        if message_id:
            message.message_id = message_id
            message.save(update_fields=["message_id"])
        return message
    now = timezone.now()
    message = case.messages.create(
        author_contact=contact, body=body, channel=channel, message_id=message_id, created_at=now
    )
    if uploads:
        attachments_store(message=message, uploads=uploads, content_types=list(content_types))
    case_record(
        case,
        actor=None,
        kind=CaseEvent.Kind.CUSTOMER_WROTE,
        detail=f"{contact.name} wrote ({Channel(channel).label.lower()}).",
        name=contact.name,
    )
    if case.status == Status.RESOLVED:
        case_reopen(
            case,
            contact=contact,
            detail=f"Reopened: {contact.name} wrote after the case was resolved.",
            now=now,
        )
    elif case.status == Status.WAITING:
        _set_status(case, Status.OPEN, actor=None)
    sla.customer_wrote(case, now=now)
    sla.case_refresh(case)
    case.save()
    return message
