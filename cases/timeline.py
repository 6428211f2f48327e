"""The bottom of the cases app: lock a case, write its timeline, refuse a stale form.

Every change to a case takes its row lock here, raises its version and writes a
CaseEvent (who, when, what, why). Nothing in this module knows any workflow.
"""

from django.utils import timezone

from cases.models import Case, CaseEvent


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
    activity. The case and the event are saved by the service that holds the lock."""
    now = timezone.now()
    case.version += 1
    case.last_activity_at = now
    case.last_activity_by = name or actor_name(actor)
    return CaseEvent(
        case=case, actor=actor, kind=kind, detail=detail, created_at=now, case_version=case.version
    )


def case_record(case: Case, *, actor, kind: str, detail: str, name: str = "") -> CaseEvent:
    """Write one change on a case's timeline now (see case_event); the case is saved by
    the service that holds the lock."""
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


def merged_target(case: Case) -> Case:
    """Where a case's conversation goes on: the case it was merged into, followed to the
    end of the chain (a merged case's own page and mail lead there)."""
    seen = {case.pk}
    while case.merged_into_id and case.merged_into_id not in seen:
        case = case.merged_into
        seen.add(case.pk)
    return case
