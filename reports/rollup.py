"""Keeping the figures current: the facts of changed cases and the rollup of the days they
touch, every few minutes (reports.tasks), and a rebuild of it all from the raw rows
(`manage.py reports_rebuild`)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Lag
from django.utils import timezone

from cases.models import OPEN_STATUSES, Case, SlaOutcome
from reports.facts import clocks_load, facts_compute
from reports.models import (
    AGE_DAYS,
    COUNTERS,
    ROLLUPS,
    AgentChange,
    CaseFact,
    DailyRollup,
    OpenCount,
    RollupState,
    bucket_of,
)

# Changes committed a little before the last pass started may not have been visible to it
# (a transaction that began earlier commits later): each pass looks back this far again.
OVERLAP = timedelta(minutes=10)
DAYS_PER_PASS = 31
NPS_PROMOTER, NPS_DETRACTOR = 9, 6


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


DAY_FIELDS = ("created_day", "first_response_day", "resolved_day", "rated_day")


def _days(fact: dict) -> set[date]:
    return {fact[name] for name in DAY_FIELDS if fact[name]}


def facts_refresh(case_ids, clocks=None, *, fresh=False) -> set[date]:
    """Work the facts of these cases out again; the days whose rollup they touched, before
    or after (a case moved to another team changes the day it was opened on, too)."""
    case_ids = list(case_ids)
    touched: set[date] = set()
    if fresh:  # a rebuild of every case, in order: no old facts to read or remove
        facts_insert(facts_compute(case_ids, clocks, every=True))
        return touched
    contacts = set()
    for fact in CaseFact.objects.filter(pk__in=case_ids).values("contact_id", *DAY_FIELDS):
        touched |= _days(fact)
        contacts.add(fact["contact_id"])
    for done_at in SlaOutcome.objects.filter(case_id__in=case_ids).values_list(
        "done_at", flat=True
    ):
        touched.add(timezone.localtime(done_at).date())
    facts = facts_compute(case_ids, clocks)
    for fact in facts:
        touched |= _days(fact)
        contacts.add(fact["contact_id"])
    CaseFact.objects.filter(pk__in=case_ids).delete()
    facts_insert(facts)
    changes_refresh(contacts)
    return touched


def changes_refresh(contact_ids=None) -> None:
    """Find again which solved cases went to another agent than their contact's previous
    solved case, among all the contact's cases and within each team, channel and category
    (AgentChange): of these contacts, or of every contact."""
    facts = CaseFact.objects.filter(resolved_day__isnull=False, agent_id__isnull=False)
    changes = AgentChange.objects.all()
    if contact_ids is not None:
        contact_ids = list(contact_ids)
        facts = facts.filter(contact_id__in=contact_ids)
        changes = changes.filter(contact_id__in=contact_ids)
    changes.delete()
    order = ("resolved_day", "case_id")
    for within, field in AgentChange.WITHIN.items():
        partition = [F("contact_id"), *([F(field)] if field else [])]
        previous = {
            name: Window(Lag(name), partition_by=partition, order_by=order)
            for name in ("agent_id", "resolved_day")
        }
        rows = (
            facts.order_by()
            .annotate(previous_agent=previous["agent_id"], previous_day=previous["resolved_day"])
            .filter(~Q(previous_agent=F("agent_id")), previous_agent__isnull=False)
            .values_list(*CHANGE_READ)
        )
        rows_insert(AgentChange, ["within", *CHANGE_READ], [(within, *row) for row in rows])


def _spans(days):
    """Consecutive days as (first, last) spans, at most DAYS_PER_PASS long."""
    spans = []
    for day in sorted(days):
        if (
            spans
            and day == spans[-1][1] + timedelta(days=1)
            and ((day - spans[-1][0]).days < DAYS_PER_PASS)
        ):
            spans[-1][1] = day
        else:
            spans.append([day, day])
    return spans


def days_rebuild(days) -> int:
    """Sum these days again from the facts and outcomes; returns the wide rows written."""
    written = 0
    for first, last in _spans(days):
        sums = _sums(first, last)
        DailyRollup.objects.filter(day__gte=first, day__lte=last).delete()
        rows_insert(DailyRollup, WIDE, [(*key, *_counts(row)) for key, row in sums.items()])
        for model, per in ROLLUPS:
            if model is DailyRollup:
                continue
            model.objects.filter(day__gte=first, day__lte=last).delete()
            # The wide rows' keys are (day, *WIDE_KEYS): keep the day and these.
            pick = itemgetter(0, *(1 + WIDE_KEYS.index(name) for name in per))
            grouped: dict = {}
            for key, row in sums.items():
                total = grouped.setdefault(pick(key), defaultdict(int))
                for name, value in row.items():
                    total[name] += value
            rows_insert(
                model,
                ["day", *per, *COUNTERS],
                [(*key, *_counts(row)) for key, row in grouped.items()],
            )
        written += len(sums)
    return written


WIDE_KEYS = ["team_id", "agent_id", "channel", "category_id"]
WIDE = ["day", *WIDE_KEYS, *COUNTERS]
CHANGE_READ = [
    "case_id",
    "contact_id",
    "resolved_day",
    "previous_day",
    "team_id",
    "channel",
    "category_id",
]
FACT_FIELDS = [field.attname for field in CaseFact._meta.concrete_fields]


ZEROS = [0] * len(COUNTERS)


def _counts(row: dict) -> list[int]:
    # map() over dict.get: a rebuild calls this for every row it writes.
    return list(map(row.get, COUNTERS, ZEROS))


def rows_insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows at once, without a model instance each: the rollup has fifty
    columns, and Django's per-value preparation was most of a rebuild's time. PostgreSQL
    takes them by COPY."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def facts_insert(facts: list[dict]) -> None:
    row = itemgetter(*FACT_FIELDS)
    rows_insert(CaseFact, FACT_FIELDS, [row(fact) for fact in facts])


def _sums(first: date, last: date) -> dict:
    """{(day, team, agent, channel, category): {counter: value}} for these days."""
    sums = defaultdict(lambda: defaultdict(int))

    def add(day, fact, **counts):
        key = (day, fact["team_id"], fact["agent_id"], fact["channel"], fact["category_id"])
        row = sums[key]
        for name, value in counts.items():
            row[name] += value

    dims = ["team_id", "agent_id", "channel", "category_id"]
    span = {"__gte": first, "__lte": last}

    def facts(field, *more):
        return CaseFact.objects.filter(**{field + op: day for op, day in span.items()}).values(
            field, *dims, *more
        )

    for fact in facts("created_day"):
        add(fact["created_day"], fact, created=1)
    for fact in facts("first_response_day", "first_response_minutes"):
        bucket = bucket_of(fact["first_response_minutes"])
        add(fact["first_response_day"], fact, **{f"response_{bucket}": 1})
    for fact in facts(
        "resolved_day",
        "resolution_minutes",
        "agent_replies",
        "reopened",
        "handoffs",
        "owner_handled",
    ):
        bucket = bucket_of(fact["resolution_minutes"])
        add(
            fact["resolved_day"],
            fact,
            solved=1,
            first_contact=int(fact["agent_replies"] == 1 and not fact["reopened"]),
            reopened=int(fact["reopened"]),
            handoffs=fact["handoffs"],
            owner_handled=int(fact["owner_handled"]),
            **{f"resolution_{bucket}": 1},
        )
    for fact in facts("rated_day", "score", "recommend"):
        recommend = fact["recommend"]
        add(
            fact["rated_day"],
            fact,
            rated=1,
            score_sum=fact["score"],
            **{f"score_{fact['score']}": 1},
            promoters=int(recommend is not None and recommend >= NPS_PROMOTER),
            passives=int(recommend is not None and NPS_DETRACTOR < recommend < NPS_PROMOTER),
            detractors=int(recommend is not None and recommend <= NPS_DETRACTOR),
        )
    outcomes = SlaOutcome.objects.filter(
        done_at__gte=_day_start(first), done_at__lt=_day_start(last + timedelta(days=1))
    ).values(
        "target",
        "met",
        "done_at",
        "case__team_id",
        "case__assignee_id",
        "case__channel",
        "case__category_id",
    )
    zone = timezone.get_current_timezone()
    for outcome in outcomes:
        dimensions = {
            "team_id": outcome["case__team_id"],
            "agent_id": outcome["case__assignee_id"],
            "channel": outcome["case__channel"],
            "category_id": outcome["case__category_id"],
        }
        state = "met" if outcome["met"] else "missed"
        add(
            timezone.localdate(outcome["done_at"], zone),
            dimensions,
            **{f"{outcome['target']}_{state}": 1},
        )
    return {key: row for key, row in sums.items() if any(row.get(name) for name in COUNTERS)}


def open_aggregates(now: datetime) -> dict:
    """What the backlog counts of a group of open cases, as of `now`: how many, how many
    past their due time, and how many at least 1, 3, 7 and 30 days old."""
    return {
        "cases": Count("status"),
        "late": Count("status", filter=Q(due_at__lt=now)),
        **{
            f"aged_{days}": Count("status", filter=Q(created_at__lte=now - timedelta(days=days)))
            for days in AGE_DAYS
        },
    }


# The open cases' groups and counts, as read from the cases and as written to OpenCount.
OPEN_GROUPS = ["status", "team_id", "assignee_id", "channel", "category_id"]
OPEN_READ = [
    *OPEN_GROUPS,
    "cases",
    "late",
    *(f"aged_{days}" for days in AGE_DAYS),
]
OPEN_WRITTEN = [
    "status",
    "team_id",
    "agent_id",
    "channel",
    "category_id",
    "total",
    "overdue",
    *(f"older_{days}" for days in AGE_DAYS),
]


def open_count(now: datetime) -> int:
    """Count the open cases as of `now` for the backlog figures (OpenCount): one grouped
    count over the covering index (case_open_backlog_idx), once a pass, so that no page
    view counts them. Returns how many groups it wrote."""
    OpenCount.objects.all().delete()
    rows = list(
        Case.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values(*OPEN_GROUPS)
        .annotate(**open_aggregates(now))
        .values_list(*OPEN_READ)
    )
    rows_insert(OpenCount, OPEN_WRITTEN, rows)
    RollupState.objects.filter(pk=1).update(counted_at=now)
    return len(rows)


@transaction.atomic
def rollup_refresh(now: datetime | None = None) -> int:
    """Take in the cases changed since the last pass. Returns how many cases it read."""
    now = now or timezone.now()
    state = RollupState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        rollup_rebuild(now=now)
        return Case.objects.count()
    changed = list(
        Case.objects.filter(updated_at__gte=state.refreshed_at - OVERLAP).values_list(
            "pk", flat=True
        )
    )
    if changed:
        days_rebuild(facts_refresh(changed))
    state.refreshed_at = now
    state.save(update_fields=["refreshed_at"])
    open_count(now)
    return len(changed)


@transaction.atomic
def rollup_rebuild(*, since: date | None = None, now: datetime | None = None) -> int:
    """Work out again every case changed since `since` (all of them without it) and every
    day from `since` on. Returns the rollup rows written."""
    now = now or timezone.now()
    RollupState.objects.select_for_update().filter(pk=1).first()
    cases = Case.objects.order_by("pk")
    if since is None:
        CaseFact.objects.all().delete()
        for model, _per in ROLLUPS:
            model.objects.all().delete()
    else:
        cases = cases.filter(updated_at__gte=_day_start(since))
    # Fresh statistics first: after a bulk load the planner would guess badly.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case, cases_message, cases_caseevent")
    clocks = clocks_load()
    ids = list(cases.values_list("pk", flat=True))
    for start in range(0, len(ids), 10_000):
        facts_refresh(ids[start : start + 10_000], clocks, fresh=since is None)
    if since is None:
        changes_refresh()
    first = (
        since
        or CaseFact.objects.order_by("created_day").values_list("created_day", flat=True).first()
    )
    written = 0
    if first is not None:
        today = timezone.localtime(now).date()
        written = days_rebuild(
            first + timedelta(days=offset) for offset in range((today - first).days + 1)
        )
    RollupState.objects.update_or_create(pk=1, defaults={"refreshed_at": now})
    open_count(now)
    return written
