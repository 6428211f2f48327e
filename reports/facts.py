"""The facts of each case that the figures are made of, worked out from its raw rows.

- first response and resolution times are business minutes of the calendar of the case's
  response-time policy (wall-clock minutes without one); resolution leaves out the time the
  case waited on the customer or sat solved before it was reopened;
- agent replies count the public messages agents wrote (notes are not replies);
- a hand-off is the case moving from one agent to another, or from an agent to another
  team's queue (assigned, reassigned or escalated; a first assignment is not one);
- the owner handled a case when every public reply on it came from the contact's owner or
  the owner's backup (their current ones), and there was at least one.
"""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from agents.models import BusinessCalendar
from cases.models import Case, CaseEvent, Message
from cases.sla.clock import Clock

BATCH = 2000


def _day(moment, zone):
    """The local date of a moment, in a zone read once by the caller: looking the current
    zone up for each of a rebuild's four dates a case was a quarter of its time."""
    return timezone.localdate(moment, zone) if moment else None


def clocks_load() -> dict:
    """A clock per business calendar, and wall-clock time for cases without one."""
    calendars = BusinessCalendar.objects.prefetch_related("hours", "holidays")
    clocks = {calendar.pk: Clock(calendar) for calendar in calendars}
    clocks[None] = Clock(None)
    return clocks


def facts_compute(case_ids, clocks: dict | None = None, *, every=False) -> list[dict]:
    """The facts of the given cases (those that still exist), each a dict named by
    CaseFact's fields, to be inserted as rows (reports.rollup.facts_insert): a model
    instance each was a tenth of a rebuild's time. Three reads per
    thousands of cases: the cases, their public agent replies, their hand-off and reopen
    events. `every`: the ids are every case from the first to the last (a rebuild), read
    by range rather than by a list of thousands of ids."""
    clocks = clocks if clocks is not None else clocks_load()
    zone = timezone.get_current_timezone()
    moves = Q(kind__in=[CaseEvent.Kind.REASSIGNED, CaseEvent.Kind.ESCALATED]) | Q(
        kind=CaseEvent.Kind.ASSIGNED
    ) & ~Q(detail__startswith="Assignee: unassigned")
    facts = []
    ids = list(case_ids)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        if every:
            of_cases = {"case_id__gte": batch[0], "case_id__lte": batch[-1]}
            cases = Case.objects.filter(pk__gte=batch[0], pk__lte=batch[-1])
        else:
            of_cases = {"case_id__in": batch}
            cases = Case.objects.filter(pk__in=batch)
        repliers = defaultdict(list)
        for case_id, author in Message.objects.filter(
            author_agent__isnull=False, is_internal=False, **of_cases
        ).values_list("case_id", "author_agent_id"):
            repliers[case_id].append(author)
        handoffs, reopened = defaultdict(int), set()
        for case_id, kind in CaseEvent.objects.filter(
            Q(kind=CaseEvent.Kind.REOPENED) | moves, **of_cases
        ).values_list("case_id", "kind"):
            if kind == CaseEvent.Kind.REOPENED:
                reopened.add(case_id)
            else:
                handoffs[case_id] += 1
        rows = cases.values_list(
            "pk",
            "contact_id",
            "team_id",
            "assignee_id",
            "channel",
            "category_id",
            "created_at",
            "first_response_at",
            "resolved_at",
            "paused_minutes",
            "sla_policy__calendar_id",
            "contact__owner_id",
            "contact__owner__backup_id",
            "rating__created_at",
            "rating__score",
            "rating__recommend",
        )
        for (
            pk,
            contact_id,
            team_id,
            agent_id,
            channel,
            category_id,
            created,
            responded,
            resolved,
            paused,
            calendar_id,
            owner_id,
            backup_id,
            rated_at,
            score,
            recommend,
        ) in rows:
            clock = clocks.get(calendar_id) or clocks[None]
            authors = repliers.get(pk, ())
            facts.append(
                dict(
                    case_id=pk,
                    contact_id=contact_id,
                    team_id=team_id,
                    agent_id=agent_id,
                    channel=channel,
                    category_id=category_id,
                    created_day=_day(created, zone),
                    first_response_day=_day(responded, zone),
                    first_response_minutes=(
                        clock.minutes_between(created, responded) if responded else None
                    ),
                    resolved_day=_day(resolved, zone),
                    resolution_minutes=(
                        max(0, clock.minutes_between(created, resolved) - paused)
                        if resolved
                        else None
                    ),
                    agent_replies=len(authors),
                    reopened=pk in reopened,
                    handoffs=handoffs.get(pk, 0),
                    owner_handled=bool(authors)
                    and all(author in (owner_id, backup_id) for author in authors),
                    rated_day=_day(rated_at, zone),
                    score=score,
                    recommend=recommend,
                )
            )
    return facts
