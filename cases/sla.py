"""Response times: due times from SLA policies and business calendars, and the reminder sweep.

A case's due times are derived from its creation time, its policy's targets for
its priority, the business minutes it spent waiting on the customer, and the
customer's last unanswered message. They are recomputed whenever one of those
changes (`case_refresh`), so a policy edit or a priority change moves them.

The sweep looks only at cases whose `remind_at` has come (a partial index), sends
each warning and breach notice once (a unique Reminder per case, kind, target and
due time), escalates on breach, and moves `remind_at` to the next moment.
"""

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Notification,
    OutboundEmail,
    Priority,
    Reminder,
    SlaOutcome,
    SlaPolicy,
    SlaTarget,
    Status,
    Target,
)
from helpdesk.models import Agent, BusinessCalendar

logger = logging.getLogger(__name__)

DUE_FIELDS = {
    Target.FIRST_RESPONSE: "first_response_due",
    Target.NEXT_REPLY: "next_reply_due",
    Target.RESOLUTION: "resolution_due",
}
SLA_FIELDS = [
    "sla_policy",
    *DUE_FIELDS.values(),
    "due_at",
    "remind_at",
    "waiting_since",
    "paused_minutes",
]


class Clock:
    """Adds and measures working time on a business calendar, or wall-clock time without one."""

    def __init__(self, calendar: BusinessCalendar | None):
        self.hours: dict[int, list] = {}
        self.holidays: set[date] = set()
        self.zone = UTC
        if calendar is not None:
            try:
                self.zone = ZoneInfo(calendar.time_zone)
            except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
                # The admin validates the name; one stored before must not stop the desk.
                logger.error("Calendar %s has an unknown time zone; using UTC.", calendar.pk)
            for hours in calendar.hours.all():
                self.hours.setdefault(hours.weekday, []).append((hours.start, hours.end))
            self.holidays = {holiday.date for holiday in calendar.holidays.all()}
        # A calendar without any working hours would never reach a target.
        self.wall_clock = not self.hours

    def _intervals(self, start: datetime):
        """Working intervals (UTC) from the day of `start` on, for up to two years."""
        day = start.astimezone(self.zone).date()
        for _ in range(731):
            if day not in self.holidays:
                for opens, closes in sorted(self.hours.get(day.weekday(), [])):
                    yield (
                        datetime.combine(day, opens, self.zone).astimezone(UTC),
                        datetime.combine(day, closes, self.zone).astimezone(UTC),
                    )
            day += timedelta(days=1)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` of working time after `start`."""
        if self.wall_clock:
            return start + timedelta(minutes=minutes)
        remaining = timedelta(minutes=minutes)
        for opens, closes in self._intervals(start):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
        raise ValueError("The calendar has no working time in the next two years.")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes from `start` to `end` (0 if end is not after start)."""
        if end <= start:
            return 0
        if self.wall_clock:
            return int((end - start).total_seconds() // 60)
        total = timedelta()
        for opens, closes in self._intervals(start):
            if opens >= end:
                break
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += finish - begin
        return int(total.total_seconds() // 60)


def policy_for(case: Case) -> SlaPolicy | None:
    """The most specific policy: the organization's, the category's, else the default."""
    organization_id = case.contact.organization_id if case.contact_id else None
    candidates = SlaPolicy.objects.filter(
        Q(is_default=True)
        | Q(category_id=case.category_id, category__isnull=False)
        | Q(organization_id=organization_id, organization__isnull=False)
    ).select_related("calendar")

    def specificity(policy):
        return (
            policy.organization_id is not None and policy.organization_id == organization_id,
            policy.category_id is not None and policy.category_id == case.category_id,
            -policy.pk,
        )

    return max(candidates, key=specificity, default=None)


def _clock(policy: SlaPolicy | None, clocks: dict | None = None) -> Clock:
    calendar = policy.calendar if policy else None
    if clocks is None:
        return Clock(calendar)
    key = calendar.pk if calendar else None
    if key not in clocks:
        clocks[key] = Clock(calendar)
    return clocks[key]


def case_refresh(case: Case, *, now: datetime | None = None, clocks: dict | None = None) -> None:
    """Recompute a case's due times and next reminder moment. The caller saves the case."""
    now = now or timezone.now()
    policy = policy_for(case)
    case.sla_policy = policy
    target = (
        SlaTarget.objects.filter(policy=policy, priority=case.priority).first() if policy else None
    )
    clock = _clock(policy, clocks)
    is_open = case.status in OPEN_STATUSES
    waiting = case.status == Status.WAITING

    def due(minutes, start, extra=0):
        if not (is_open and target and minutes is not None and start):
            return None
        return clock.add(start, minutes + extra)

    case.first_response_due = (
        None
        if case.first_response_at
        else due(target and target.first_response_minutes, case.created_at)
    )
    case.next_reply_due = (
        None
        if waiting or not case.first_response_at
        else due(target and target.next_reply_minutes, case.awaiting_reply_since)
    )
    paused = case.paused_minutes + (
        clock.minutes_between(case.waiting_since, now) if waiting and case.waiting_since else 0
    )
    case.resolution_due = (
        None
        if waiting
        else due(target and target.resolution_minutes, case.created_at, extra=paused)
    )
    dues = [value for value in (getattr(case, field) for field in DUE_FIELDS.values()) if value]
    case.due_at = min(dues, default=None)
    warning = timedelta(minutes=policy.warning_minutes if policy else 0)
    case.remind_at = min((value - warning for value in dues), default=None)


def waiting_started(case: Case, *, now: datetime) -> None:
    case.waiting_since = now


def waiting_ended(case: Case, *, now: datetime) -> None:
    """Add the time spent waiting on the customer to the paused time."""
    if case.waiting_since:
        clock = _clock(policy_for(case))
        case.paused_minutes += clock.minutes_between(case.waiting_since, now)
    case.waiting_since = None


def resolution_resumed(case: Case, *, now: datetime) -> None:
    """A resolved case opens again: the time it sat resolved does not count against it."""
    if case.resolved_at:
        case.paused_minutes += _clock(policy_for(case)).minutes_between(case.resolved_at, now)


def _record_outcome(case: Case, target: str, due: datetime | None, done: datetime) -> None:
    if due is None:
        return
    SlaOutcome.objects.get_or_create(
        case=case,
        target=target,
        due_at=due,
        defaults={
            "done_at": done,
            "met": done <= due,
            "margin_seconds": int((due - done).total_seconds()),
        },
    )


def agent_replied(case: Case, *, now: datetime) -> None:
    """An agent answered the customer: first response or next reply met (or missed)."""
    if case.first_response_at is None:
        _record_outcome(case, Target.FIRST_RESPONSE, case.first_response_due, now)
    elif case.awaiting_reply_since:
        _record_outcome(case, Target.NEXT_REPLY, case.next_reply_due, now)
    case.awaiting_reply_since = None


def customer_wrote(case: Case, *, now: datetime) -> None:
    """A customer's message after the first response starts the next-reply clock."""
    if case.first_response_at and case.awaiting_reply_since is None:
        case.awaiting_reply_since = now


def case_resolved(case: Case, *, now: datetime) -> None:
    _record_outcome(case, Target.RESOLUTION, case.resolution_due, now)


# The sweep


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


def _agent_language(agent: Agent) -> str:
    codes = dict(settings.LANGUAGES)
    for code in agent.languages.replace(" ", "").split(","):
        if code in codes:
            return code
    return settings.LANGUAGE_CODE


def _escalation(case: Case, reminder: Reminder):
    """The policy's escalation for a breach, applied to the case: an unsaved event, or None."""
    from cases.services import case_event

    policy = case.sla_policy
    if policy is None or policy.escalation == SlaPolicy.Escalation.NONE:
        return None
    target = reminder.get_target_display().lower()
    if policy.escalation == SlaPolicy.Escalation.RAISE_PRIORITY:
        if case.priority >= Priority.URGENT:
            return None
        before = case.get_priority_display()
        case.priority += 1
        return case_event(
            case,
            actor=None,
            kind=CaseEvent.Kind.PRIORITY,
            detail=f"Priority: {before} → {case.get_priority_display()}, "
            f"because the {target} target was missed.",
        )
    if policy.escalation_team_id and policy.escalation_team_id != case.team_id:
        case.team = policy.escalation_team
        return case_event(
            case,
            actor=None,
            kind=CaseEvent.Kind.ESCALATED,
            detail=f"Escalated to the {case.team.name} queue: the {target} target was missed.",
        )
    return None


def _plan(case: Case, now: datetime, done: set) -> list[Reminder]:
    """The reminders a locked case needs now; sets when to look at it next."""
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
        and not (kind == Reminder.Kind.BREACH and (case.pk, kind, target, None) in done)
    ]


def _sweep_batch(cases: list[Case], now: datetime) -> int:
    """Record, notify, mail and escalate for a batch of locked cases in a few bulk queries."""
    from cases import outbound
    from cases.services import case_event

    done = set(
        Reminder.objects.filter(case__in=cases).values_list("case_id", "kind", "target", "due_at")
    )
    # A target is escalated once: a due time that moved after a breach (the escalation
    # itself raises the priority) does not breach, notify and escalate again.
    done |= {(case_id, kind, target, None) for case_id, kind, target, _ in done}
    reminders = Reminder.objects.bulk_create(
        [reminder for case in cases for reminder in _plan(case, now, done)]
    )
    notifications, emails, events = [], [], []
    for reminder in reminders:
        case = reminder.case
        people = recipients(case, reminder.kind, now)
        notifications += [Notification(agent=agent, reminder=reminder) for agent in people]
        emails += [
            outbound.reminder_email_build(
                reminder=reminder, agent=agent, language=_agent_language(agent)
            )
            for agent in people
            if agent.user.email
        ]
        if reminder.kind == Reminder.Kind.BREACH:
            escalation = _escalation(case, reminder)
            if escalation:
                events.append(escalation)
        overdue = reminder.kind == Reminder.Kind.BREACH
        events.append(
            case_event(
                case,
                actor=None,
                kind=CaseEvent.Kind.SLA,
                detail=f"{reminder.get_target_display()} "
                f"{'is overdue' if overdue else 'is due soon'}: "
                f"due {timezone.localtime(reminder.due_at):%d %b %H:%M}.",
            )
        )
    Notification.objects.bulk_create(notifications)
    CaseEvent.objects.bulk_create(events)
    for email in OutboundEmail.objects.bulk_create(emails):
        outbound.outbound_enqueue(email)
    Case.objects.bulk_update(
        cases, ["remind_at", "priority", "team", "version", "last_activity_at", "last_activity_by"]
    )
    return len(reminders)


def sweep(*, now: datetime | None = None, batch: int = 500) -> int:
    """One pass of the reminder sweep over the cases whose reminder moment has come.

    Returns how many reminders were recorded. Each batch is one transaction: a crash
    leaves nothing half-sent, and the rows are locked (skipping those another sweep
    holds) so two sweeps share the work rather than repeat it. The Reminder's unique
    constraint is the last guard against a second reminder for the same due time.
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
                total += _sweep_batch(cases, now)
        if len(cases) < batch:
            return total


def policy_changed(policy_id: int | None = None) -> int:
    """Recompute the due times of every open case (after a manager edits a policy)."""
    clocks: dict = {}
    count = 0
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).select_related("contact")
    for case in open_cases.iterator(chunk_size=500):
        with transaction.atomic():
            locked = Case.objects.select_for_update().select_related("contact").get(pk=case.pk)
            case_refresh(locked, clocks=clocks)
            locked.save(update_fields=SLA_FIELDS)
        count += 1
    return count
