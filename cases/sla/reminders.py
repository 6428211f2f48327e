"""The reminder sweep: warnings before a response-time target and notices at a breach,
each sent once, and the policy's escalation at a breach.

A beat task runs it every minute. It looks only at cases whose `remind_at` has come
(a partial index), sends each warning and breach notice once (a unique Reminder per
case, kind, target and due time), escalates on breach through the same transitions
as an agent's change (so due times follow), and moves `remind_at` to the next moment.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from agents.models import Agent
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Notification,
    Priority,
    Reminder,
    SlaPolicy,
    Target,
)
from cases.said import Said
from cases.signals import reminders_made
from cases.sla import due
from cases.sla.due import DUE_FIELDS, SLA_FIELDS
from cases.sla.mails import reminder_email_build
from cases.timeline import case_event
from cases.transitions import priority_set
from outbox.models import OutboundEmail
from outbox.store import email_enqueue

SWEPT_FIELDS = list(
    dict.fromkeys(
        [
            "priority",
            "team",
            "version",
            "last_activity_at",
            "last_activity_by",
            "updated_at",
            *SLA_FIELDS,
        ]
    )
)


def recipients(case: Case, kind: str, now: datetime) -> list[Agent]:
    """Who hears of a reminder: the assignee, or their backup or the team lead when they are
    away or missing; at a breach the team lead as well."""
    people = []
    assignee = case.assignee
    lead = case.team.lead if case.team_id and case.team.lead_id else None
    if assignee and assignee.is_available(now):
        people.append(assignee)
    elif assignee and assignee.backup and assignee.backup.is_available(now):
        people.append(assignee.backup)
    elif lead:
        people.append(lead)
    if kind == Reminder.Kind.BREACH and lead:
        people.append(lead)
    unique = []
    for agent in people:
        if agent.pk not in {known.pk for known in unique} and agent.user.is_active:
            unique.append(agent)
    return unique


def _escalate(case: Case, reminder: Reminder) -> None:
    """The policy's escalation for a breach, applied to the locked case: the priority goes
    up one step (never past urgent) through the same transition as an agent's change,
    or the case moves to the escalation team's queue."""
    policy = case.sla_policy
    if policy is None or policy.escalation == SlaPolicy.Escalation.NONE:
        return
    if policy.escalation == SlaPolicy.Escalation.RAISE_PRIORITY:
        if case.priority < Priority.URGENT:
            missed = Said("target_missed", target=reminder.target)
            priority_set(case, case.priority + 1, actor=None, why=missed)
        return
    if policy.escalation_team_id and policy.escalation_team_id != case.team_id:
        case.team = policy.escalation_team
        case_event(
            case,
            actor=None,
            kind=CaseEvent.Kind.ESCALATED,
            detail=Said("escalated_to_queue", team=case.team.name, target=reminder.target),
        ).save()


def _plan(case: Case, now: datetime, done: set, breached: dict) -> list[Reminder]:
    """The reminders a locked case needs now; sets when to look at it next.

    A target breaches once per wait: once a breach of it was recorded, a due time that
    moved after it (the escalation itself raises the priority) does not breach, notify
    and escalate again. The next reply waits anew with each customer message, so a
    breach recorded before the current wait began does not count for it.
    """
    if case.status not in OPEN_STATUSES:
        case.remind_at = None
        return []
    warning = timedelta(minutes=case.sla_policy.warning_minutes if case.sla_policy else 0)
    needed, upcoming = [], []
    for target, field in DUE_FIELDS.items():
        due = getattr(case, field)
        if due is None:
            continue
        if now >= due:
            needed.append((Reminder.Kind.BREACH, target, due))
        elif now >= due - warning:
            needed.append((Reminder.Kind.WARNING, target, due))
            upcoming.append(due)
        else:
            upcoming.append(due - warning)
    case.remind_at = min(upcoming, default=None)
    return [
        Reminder(case=case, kind=kind, target=target, due_at=due, created_at=now)
        for kind, target, due in needed
        if (case.pk, kind, target, due) not in done
        and not (kind == Reminder.Kind.BREACH and _breached_this_wait(case, target, breached))
    ]


def _breached_this_wait(case: Case, target: str, breached: dict) -> bool:
    last = breached.get((case.pk, target))
    if last is None:
        return False
    if target == Target.NEXT_REPLY and case.awaiting_reply_since:
        return last >= case.awaiting_reply_since
    return True


def _sweep_batch(cases: list[Case], now: datetime, *, mail: bool = True) -> int:
    """Record, notify, mail and escalate for a batch of locked cases in a few bulk queries."""
    done, breached = set(), {}
    recorded = Reminder.objects.filter(case__in=cases).values_list(
        "case_id", "kind", "target", "due_at", "created_at"
    )
    for case_id, kind, target, due_at, created_at in recorded:
        done.add((case_id, kind, target, due_at))
        if kind == Reminder.Kind.BREACH:
            last = breached.get((case_id, target))
            breached[(case_id, target)] = max(created_at, last) if last else created_at
    reminders = Reminder.objects.bulk_create(
        [reminder for case in cases for reminder in _plan(case, now, done, breached)]
    )
    notifications, emails, events, escalated = [], [], [], set()
    for reminder in reminders:
        case = reminder.case
        people = recipients(case, reminder.kind, now)
        notifications += [
            Notification(agent=agent, reminder=reminder, case=case) for agent in people
        ]
        emails += [
            reminder_email_build(reminder=reminder, agent=agent, language=agent.mail_language)
            for agent in people
            if mail and agent.user.email
        ]
        if reminder.kind == Reminder.Kind.BREACH:
            _escalate(case, reminder)
            escalated.add(case.pk)
        overdue = reminder.kind == Reminder.Kind.BREACH
        events.append(
            case_event(
                case,
                actor=None,
                kind=CaseEvent.Kind.SLA,
                detail=Said(
                    "overdue" if overdue else "due_soon",
                    target=reminder.target,
                    due=reminder.due_at.isoformat(),
                ),
            )
        )
    Notification.objects.bulk_create(notifications)
    CaseEvent.objects.bulk_create(events)
    if reminders:
        reminders_made.send(sender=Reminder, reminders=reminders)
    for email in OutboundEmail.objects.bulk_create(emails):
        email_enqueue(email)
    # An escalated case's due times follow its new priority or team, as after an agent's
    # change; the next pass plans its reminders from them (never a second breach notice).
    for case in cases:
        if case.pk in escalated:
            due.case_refresh(case, now=now)
        case.updated_at = timezone.now()
    Case.objects.bulk_update(cases, SWEPT_FIELDS)
    return len(reminders)


def sweep(*, now: datetime | None = None, batch: int = 500, mail: bool = True) -> int:
    """One pass of the reminder sweep over the cases whose reminder moment has come.

    Returns how many reminders were recorded. Each batch is one transaction: a crash
    leaves nothing half-sent, and the rows are locked (skipping those another sweep
    holds) so two sweeps share the work rather than repeat it. The Reminder's unique
    constraint is the last guard against a second reminder for the same due time.
    Without `mail`, reminders show on the desk only (the demo data's past, seeded quietly).
    """
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            due = Case.objects.filter(remind_at__lte=now).order_by("remind_at")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            cases = list(
                due.select_related(
                    "sla_policy__escalation_team",
                    "contact",
                    "assignee__user",
                    "assignee__backup__user",
                    "team__lead__user",
                )[:batch]
            )
            if cases:
                total += _sweep_batch(cases, now, mail=mail)
        if len(cases) < batch:
            return total
