"""Every change to a case's status, priority, category or assignee goes through here.

Each setter records the change on the timeline and keeps what follows from it: the
response-time clock (cases.sla.due), the customer's mail on waiting or resolved, the
contact's owner when an ownerless contact's case gets an agent. `case_change` is how
a service holds a case while it changes it: locked on entry, due times recomputed
and the row saved on the way out, so no caller has to remember either.
"""

from contextlib import contextmanager

from django.utils import timezone

from agents.models import Agent
from cases import mails, notify
from cases.models import Case, CaseEvent, Category, Notification, Status
from cases.said import Said
from cases.sla import due
from cases.timeline import case_lock, case_record
from contacts.models import Contact
from contacts.services import contact_adopt


@contextmanager
def case_change(case: Case, *, seen_version: int | None = None):
    """Lock the case (refusing a stale form), let the caller change it, then recompute its
    due times and save it. Use inside a transaction."""
    locked = case_lock(case, seen_version=seen_version)
    yield locked
    case_save(locked)


def case_save(case: Case) -> None:
    """Recompute a changed case's due times and save it (the caller holds its lock)."""
    due.case_refresh(case)
    case.save()


def status_set(case: Case, status: str, *, actor, notify: bool = True) -> None:
    """Change the status; with notify, tell the customer the case waits on them or is
    resolved (asking them to rate the help)."""
    if status == case.status:
        return
    now = timezone.now()
    before = case.status
    due.status_changed(case, before=case.status, after=status, now=now)
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
        detail=Said("status", before=before, after=status),
    )
    if notify and status == Status.RESOLVED:
        mails.case_resolved_email(case=case)
    elif notify and status == Status.WAITING:
        mails.case_waiting_email(case=case)


def priority_set(case: Case, priority: int, *, actor, why: str | Said = "") -> CaseEvent | None:
    """Change the priority (its due times follow when the case is saved); returns the
    timeline event, or None if nothing changed."""
    if priority == case.priority:
        return None
    before = case.priority
    case.priority = priority
    return case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.PRIORITY,
        detail=Said("priority", before=int(before), after=int(priority), why=why),
    )


def category_set(case: Case, category: Category | None, *, actor) -> None:
    if (category.pk if category else None) == case.category_id:
        return
    before = case.category.name if case.category_id else ""
    case.category = category
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.CATEGORY,
        detail=Said("category", before=before, after=category.name if category else ""),
    )


def assignee_set(case: Case, assignee: Agent | None, *, actor, why: str | Said = "") -> None:
    if (assignee.pk if assignee else None) == case.assignee_id:
        return
    before = case.assignee.name if case.assignee_id else ""
    case.assignee = assignee
    if assignee is not None and assignee.team_id:
        case.team_id = assignee.team_id
    after = assignee.name if assignee else ""
    if assignee is not None and contact_adopt(contact=case.contact, agent=assignee, actor=actor):
        why = Said("becomes_owner", agent=assignee.name, why=why)
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNED,
        detail=Said("assignee", before=before, after=after, why=why),
    )
    if assignee is not None:
        detail = why.english() if isinstance(why, Said) else why
        notify.agents_notify(
            case=case,
            kind=Notification.Kind.ASSIGNED,
            agents=[assignee],
            actor=actor,
            detail=detail,
        )


def case_reopen(case: Case, *, contact: Contact, detail: str, now) -> None:
    """A resolved case opens again: back with its assignee, or with the assignee's backup
    while the assignee is away. The caller holds the row lock and saves the case."""
    assignee = case.assignee
    backup = assignee.backup if assignee else None
    if assignee and not assignee.is_available(now) and backup and backup.is_available(now):
        assignee_set(
            case,
            backup,
            actor=None,
            why=Said("backup_takes_reopened", agent=assignee.name),
        )
    status_set(case, Status.OPEN, actor=None)
    case_record(case, actor=None, kind=CaseEvent.Kind.REOPENED, detail=detail, name=contact.name)
