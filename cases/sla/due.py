"""Due times: from a case's SLA policy, its business calendar and what happened on it.

A case's due times are derived from its creation time, its policy's targets for its
priority, the business minutes it spent waiting on the customer (or resolved), and
the customer's last unanswered message. `case_refresh` recomputes them; every
service that changes a case calls it before saving (cases.transitions.case_change),
so a priority change or a reopen moves them at once. The clock stops while a case
waits on the customer (`status_changed`), and each met or missed target is recorded
as an SlaOutcome.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cases.models import (
    OPEN_STATUSES,
    Case,
    SlaOutcome,
    SlaPolicy,
    Status,
    Target,
)
from cases.sla.clock import Clock
from helpdesk.lib.kept import kept, kept_drop

# The number names the shape of what is kept: a new shape must not read an old one.
POLICIES_KEY = "sla-policies:1"
POLICIES_SECONDS = 300

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


def policies() -> list[SlaPolicy]:
    """Every policy, with its calendar (working hours and holidays) and its targets.

    Each new case and each change to one reads them, and they change rarely: they are
    kept in the shared cache (helpdesk.lib.kept) and dropped when a policy, a target, a
    calendar, its hours or its holidays are saved or deleted (see cases.apps)."""
    return kept(POLICIES_KEY, _policies_read, POLICIES_SECONDS)


def _policies_read() -> list[SlaPolicy]:
    return list(
        SlaPolicy.objects.select_related("calendar").prefetch_related(
            "targets", "calendar__hours", "calendar__holidays"
        )
    )


def policies_forget(**kwargs) -> None:
    """A policy, a target or a calendar changed (a post_save or post_delete receiver)."""
    kept_drop(POLICIES_KEY)


def policy_for(case: Case) -> SlaPolicy | None:
    """The most specific policy: the organization's, the category's, else the default."""
    organization_id = case.contact.organization_id if case.contact_id else None
    candidates = [
        policy
        for policy in policies()
        if policy.is_default
        or (policy.category_id is not None and policy.category_id == case.category_id)
        or (policy.organization_id is not None and policy.organization_id == organization_id)
    ]

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
        next((each for each in policy.targets.all() if each.priority == case.priority), None)
        if policy
        else None
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


def status_changed(case: Case, *, before: str, after: str, now: datetime) -> None:
    """The response-time clock follows the status: it stops while the case waits on the
    customer and while it is resolved, and a resolution counts against its target."""
    if before == Status.WAITING:
        _waiting_ended(case, now=now)
    if before in (Status.RESOLVED, Status.CLOSED) and after in OPEN_STATUSES:
        _resolution_resumed(case, now=now)
    if after == Status.WAITING:
        case.waiting_since = now
    if after in (Status.RESOLVED, Status.CLOSED) and before in OPEN_STATUSES:
        _record_outcome(case, Target.RESOLUTION, case.resolution_due, now)


def _waiting_ended(case: Case, *, now: datetime) -> None:
    """Add the time spent waiting on the customer to the paused time."""
    if case.waiting_since:
        clock = _clock(policy_for(case))
        case.paused_minutes += clock.minutes_between(case.waiting_since, now)
    case.waiting_since = None


def _resolution_resumed(case: Case, *, now: datetime) -> None:
    """A resolved or closed case opens again: the time it sat solved does not count
    against it."""
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
