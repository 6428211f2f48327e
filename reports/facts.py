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

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents.models import BusinessCalendar
from cases.models import Case, CaseEvent, Message
from cases.sla.clock import Clock
from reports.models import CaseFact

BATCH = 2000


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _day(moment):
    return timezone.localtime(moment).date() if moment else None


def clocks_load() -> dict:
    """A clock per business calendar, and wall-clock time for cases without one."""
    calendars = BusinessCalendar.objects.prefetch_related("hours", "holidays")
    clocks = {calendar.pk: Clock(calendar) for calendar in calendars}
    clocks[None] = Clock(None)
    return clocks


def facts_compute(case_ids, clocks: dict | None = None) -> list[CaseFact]:
    """Unsaved facts for the given cases (those that still exist)."""
    clocks = clocks if clocks is not None else clocks_load()
    replies = Message.objects.filter(
        case_id=OuterRef("pk"), author_agent__isnull=False, is_internal=False
    )
    handoffs = CaseEvent.objects.filter(case_id=OuterRef("pk")).filter(
        Q(kind__in=[CaseEvent.Kind.REASSIGNED, CaseEvent.Kind.ESCALATED])
        | Q(kind=CaseEvent.Kind.ASSIGNED) & ~Q(detail__startswith="Assignee: unassigned")
    )
    facts = []
    ids = list(case_ids)
    for start in range(0, len(ids), BATCH):
        rows = (
            Case.objects.filter(pk__in=ids[start : start + BATCH])
            .annotate(
                agent_replies=_count(replies),
                others_replies=_count(
                    # (Coalesce: a comparison with a missing owner or backup is
                    # unknown in SQL, and would leave every reply out.)
                    replies.exclude(
                        author_agent_id=Coalesce(OuterRef("contact__owner_id"), Value(0))
                    ).exclude(
                        author_agent_id=Coalesce(OuterRef("contact__owner__backup_id"), Value(0))
                    )
                ),
                handoffs=_count(handoffs),
                reopened=Exists(
                    CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=CaseEvent.Kind.REOPENED)
                ),
            )
            .values(
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
                "agent_replies",
                "others_replies",
                "handoffs",
                "reopened",
                "rating__created_at",
                "rating__score",
                "rating__recommend",
            )
        )
        for row in rows:
            clock = clocks.get(row["sla_policy__calendar_id"]) or clocks[None]
            created, responded, resolved = (
                row["created_at"],
                row["first_response_at"],
                row["resolved_at"],
            )
            facts.append(
                CaseFact(
                    case_id=row["pk"],
                    contact_id=row["contact_id"],
                    team_id=row["team_id"],
                    agent_id=row["assignee_id"],
                    channel=row["channel"],
                    category_id=row["category_id"],
                    created_day=_day(created),
                    first_response_day=_day(responded),
                    first_response_minutes=(
                        clock.minutes_between(created, responded) if responded else None
                    ),
                    resolved_day=_day(resolved),
                    resolution_minutes=(
                        max(0, clock.minutes_between(created, resolved) - row["paused_minutes"])
                        if resolved
                        else None
                    ),
                    agent_replies=row["agent_replies"],
                    reopened=row["reopened"],
                    handoffs=row["handoffs"],
                    owner_handled=row["agent_replies"] > 0 and row["others_replies"] == 0,
                    rated_day=_day(row["rating__created_at"]),
                    score=row["rating__score"],
                    recommend=row["rating__recommend"],
                )
            )
    return facts
