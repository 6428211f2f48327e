"""The figures of the reports page, from the daily rollup, the open cases as the last pass
counted them, and the cases that went to another agent. A fixed number of queries, and
none of them reads every case of a period, whatever the period or data size.

The rollup changes only when a pass takes in case changes (reports.rollup, every few
minutes), so the page's figures are worked out once per pass for each period and scope,
and kept until the next (`report_kept`); the pass counts the open cases too, and the page
says when; the customers' comments are read on every view. Each figure comes with its
definition, shown beside it on the page."""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Team
from cases.models import OPEN_STATUSES, Case, CaseRating, Status
from helpdesk.lib.kept import kept
from helpdesk.lib.ratelimit import cache_breaker
from knowledge.models import DEFLECTION_WINDOW, Article, SuggestionDay, SuggestionOpen
from reports.models import (
    AGE_DAYS,
    BUCKET_EDGES,
    BUCKETS,
    COUNTERS,
    ROLLUPS,
    AgentChange,
    CaseFact,
    OpenCount,
    RollupState,
)
from reports.rollup import open_aggregates

TARGETS = ("first_response", "next_reply", "resolution")
TARGET_NAMES = {
    "first_response": _("First response"),
    "next_reply": _("Next reply"),
    "resolution": _("Resolution"),
}
# Open cases by age, each bucket from AGE_DAYS on: at least 0, 1, 3, 7 and 30 days old.
AGE_LABELS = (
    _("under 1 day"),
    _("1–3 days"),
    _("3–7 days"),
    _("7–30 days"),
    _("over 30 days"),
)
# How long a report worked out after a pass is kept: past the next pass (five minutes), so
# that a pass that is late does not leave every view to work it out again; a pass that
# did run changes the key at once.
KEPT_SECONDS = 10 * 60
# The periods the page offers, in days back from today, and the one it opens on.
PERIOD_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        last = self.first - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last)

    def bounds(self) -> tuple[datetime, datetime]:
        """From the first day's start to the next day's after the last, in the desk's zone."""
        start = timezone.make_aware(datetime.combine(self.first, time.min))
        end = timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))
        return start, end

    def each_day(self):
        return [self.first + timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class Scope:
    """Which cases the figures count: the teams the viewer may see (None: all) and the
    filters chosen."""

    teams: tuple | None = None
    team_id: int | None = None
    agent_id: int | None = None
    channel: str = ""
    category_id: int | None = None

    def rollup(self, queryset):
        return queryset.filter(self._q("team_id", "agent_id", "channel", "category_id"))

    def days(self, first: date, last: date, *, by: tuple = ()):
        """The rollup rows of these days in scope, from the narrowest table that has what
        is filtered on and what the rows are to be grouped `by`."""
        needed = {*by}
        for name, value in (
            ("team_id", self.teams if self.teams is not None else self.team_id),
            ("agent_id", self.agent_id),
            ("channel", self.channel or None),
            ("category_id", self.category_id),
        ):
            if value is not None:
                needed.add(name)
        model = next(model for model, per in ROLLUPS if needed <= {*per})
        rows = model.objects.filter(day__gte=first, day__lte=last)
        return rows.filter(self._q("team_id", "agent_id", "channel", "category_id"))

    def cases(self, queryset, prefix=""):
        return queryset.filter(
            self._q(
                f"{prefix}team_id",
                f"{prefix}assignee_id",
                f"{prefix}channel",
                f"{prefix}category_id",
            )
        )

    def _q(self, team, agent, channel, category) -> Q:
        q = Q()
        if self.teams is not None:
            q &= Q(**{f"{team}__in": self.teams})
        for name, value in (
            (team, self.team_id),
            (agent, self.agent_id),
            (category, self.category_id),
        ):
            if value is not None:
                q &= Q(**{name: value})
        if self.channel:
            q &= Q(**{channel: self.channel})
        return q


def duration_label(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 1440:
        return f"{minutes // 60} h"
    if minutes < 10080:
        return f"{minutes // 1440} d"
    return f"{minutes // 10080} wk"


def percent_text(value) -> str:
    """A share as a whole percentage; a dash when there is nothing to divide."""
    return "–" if value is None else f"{round(100 * value)}%"


def number_text(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def score_text(value) -> str:
    return "–" if value is None else f"{value:.1f} / 5"


def percentile(histogram: list[int], share: float) -> int | None:
    """The bucket (its index) the given share of counted cases falls within; None if none.
    The median is share 0.5: the bucket of the ceil(n / 2)-th fastest case."""
    total = sum(histogram)
    if not total:
        return None
    # Rounded first: 10 × 0.9 is 9.000000000000002 in floating point, not 9.
    rank = max(1, math.ceil(round(total * share, 6)))
    seen = 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= rank:
            return index
    return len(histogram) - 1


def bucket_label(index: int | None) -> str:
    if index is None:
        return "–"
    if index < len(BUCKET_EDGES):
        return f"≤ {duration_label(BUCKET_EDGES[index])}"
    return f"> {duration_label(BUCKET_EDGES[-1])}"


def share(part, whole) -> float | None:
    return part / whole if whole else None


@dataclass
class Sums:
    """Summed rollup counters with what is worked out from them."""

    values: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.values.get(name) or 0

    def add(self, row: dict) -> None:
        values = self.values
        for name in COUNTERS:
            value = row.get(name)
            if value:
                values[name] = values.get(name, 0) + value

    def histogram(self, kind) -> list[int]:
        return [self[f"{kind}_{index}"] for index in range(BUCKETS)]

    def median(self, kind):
        return percentile(self.histogram(kind), 0.5)

    def p90(self, kind):
        return percentile(self.histogram(kind), 0.9)

    def met(self, target=None) -> int:
        return sum(self[f"{t}_met"] for t in ([target] if target else TARGETS))

    def missed(self, target=None) -> int:
        return sum(self[f"{t}_missed"] for t in ([target] if target else TARGETS))

    def compliance(self, target=None):
        return share(self.met(target), self.met(target) + self.missed(target))

    def first_contact_rate(self):
        return share(self["first_contact"], self["solved"])

    def reopen_rate(self):
        return share(self["reopened"], self["solved"])

    def owner_rate(self):
        return share(self["owner_handled"], self["solved"])

    def handoffs_per_case(self):
        return share(self["handoffs"], self["solved"])

    def average_score(self):
        return share(self["score_sum"], self["rated"])

    def response_rate(self):
        return share(self["rated"], self["solved"])

    def nps(self):
        answered = self["promoters"] + self["passives"] + self["detractors"]
        if not answered:
            return None
        return round(100 * (self["promoters"] - self["detractors"]) / answered)

    def scores(self) -> list[int]:
        return [self[f"score_{score}"] for score in range(1, 6)]


def _sum_all():
    return {name: Sum(name) for name in COUNTERS}


@dataclass
class Report:
    period: Period
    previous: Period
    current: Sums
    before: Sums
    days: list  # {"day", "created", "solved", "met", "missed", "channels": {channel: new}}
    by_channel: dict  # new cases in the period per channel
    teams: list  # per team: {"pk", and the figures of people_figures}
    agents: list  # per agent, likewise
    backlog: dict
    comments: list
    spread_contacts: int
    self_service: dict
    counted_at: datetime  # when the open cases (and the live rows) were read
    refreshed_at: datetime | None = None  # the pass the figures are from (report_kept)


def report_kept(period: Period, scope: Scope) -> Report:
    """The report as of the last pass: worked out by the first view after it (or by the
    pass itself, see report_prepare) and kept until the next, with the open cases as the
    pass counted them. Two queries when kept (the pass, and the comments, read every
    time); with no pass yet, or the cache down, the report is worked out now."""
    state = RollupState.objects.filter(pk=1).values("refreshed_at", "counted_at").first()
    if state is None:
        return report_build(period, scope)
    refreshed_at, counted_at = state["refreshed_at"], state["counted_at"]

    def build() -> Report:
        if counted_at is None:  # no pass has counted the open cases yet: counted now
            return report_build(period, scope, comments=False)
        return report_build(
            period, scope, now=counted_at, backlog=backlog_counted(scope), comments=False
        )

    report = kept(_key("reports:3", refreshed_at.isoformat(), period, scope), build, KEPT_SECONDS)
    report.refreshed_at = refreshed_at
    # What customers wrote is read on each view, never kept: an erased contact's
    # comments leave the page at once.
    report.comments = comments_latest(period, scope)
    return report


def _key(name: str, *parts) -> str:
    return f"{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def teams_led(agent_id: int) -> tuple:
    """The teams an agent leads: a team lead's reports cover these."""
    return tuple(Team.objects.filter(lead_id=agent_id).order_by("pk").values_list("pk", flat=True))


def report_prepare(today: date | None = None) -> int:
    """Work out, right after a pass, the reports managers and team leads open without
    choosing a filter: each period offered (the last 7, 30 and 90 days) for every team
    together, each team alone, and each lead's teams. Their first views then do not wait
    for the open cases to be counted. Returns how many reports were worked out."""
    today = today or timezone.localdate()
    teams = list(Team.objects.order_by("pk").values_list("pk", "lead_id"))
    scopes = [Scope(), *(Scope(team_id=pk) for pk, _lead in teams)]
    for lead in sorted({lead for _pk, lead in teams if lead is not None}):
        scopes.append(Scope(teams=tuple(pk for pk, other in teams if other == lead)))
    prepared = 0
    for scope in scopes:
        for days in PERIOD_DAYS:
            if not cache_breaker.closed():
                return prepared  # the cache is down: what is worked out now is not kept
            report_kept(Period(today - timedelta(days=days - 1), today), scope)
            prepared += 1
    return prepared


def report_build(
    period: Period, scope: Scope, *, now=None, backlog=None, comments: bool = True
) -> Report:
    """Everything the page shows, worked out now (with the open cases as counted at `now`,
    unless given; without the comments, if asked). Queries: periods (1), days (1), people
    (1), backlog (1), comments (1), contacts served by several agents (1), self-service
    (3)."""
    now = now or timezone.now()
    previous = period.previous()
    # The current period's totals are the sum of its per-team-and-agent rows (read below);
    # the previous period needs only its totals.
    current, before = Sums(), Sums()
    before.add(scope.days(previous.first, previous.last).aggregate(**_sum_all()))
    # Per day and channel: the volume chart and its table, new cases by channel.
    per_day: dict = {}
    by_channel: dict = {}
    for row in (
        scope.days(period.first, period.last, by=("channel",))
        .order_by()
        .values("day", "channel")
        .annotate(
            created_sum=Sum("created"),
            solved_sum=Sum("solved"),
            met_sum=Sum("first_response_met") + Sum("next_reply_met") + Sum("resolution_met"),
            missed_sum=Sum("first_response_missed")
            + Sum("next_reply_missed")
            + Sum("resolution_missed"),
        )
    ):
        day = per_day.setdefault(
            row["day"], {"created": 0, "solved": 0, "met": 0, "missed": 0, "channels": {}}
        )
        for name in ("created", "solved", "met", "missed"):
            day[name] += row[f"{name}_sum"] or 0
        created = row["created_sum"] or 0
        if created:
            day["channels"][row["channel"]] = created
            by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + created
    empty = {"created": 0, "solved": 0, "met": 0, "missed": 0, "channels": {}}
    days = [{"day": day, **per_day.get(day, empty)} for day in period.each_day()]
    by_team: dict = {}
    by_agent: dict = {}
    for row in (
        scope.days(period.first, period.last, by=("team_id", "agent_id"))
        .order_by()
        .values("team_id", "agent_id")
        .annotate(**_sum_all())
    ):
        current.add(row)
        by_team.setdefault(row["team_id"], Sums()).add(row)
        by_agent.setdefault(row["agent_id"], Sums()).add(row)
    return Report(
        period=period,
        previous=previous,
        current=current,
        before=before,
        days=days,
        by_channel=by_channel,
        teams=people_figures(by_team),
        agents=people_figures(by_agent),
        backlog=backlog_now(scope, now=now) if backlog is None else backlog,
        comments=comments_latest(period, scope) if comments else [],
        spread_contacts=contacts_spread(period, scope),
        self_service=self_service(period),
        counted_at=now,
    )


def people_figures(groups: dict) -> list[dict]:
    """A team's or an agent's row of the reports' tables, from their summed rollup rows:
    worked out with the report, so that a kept report's view has only names to add."""
    return [
        {
            "pk": pk,
            "handled": sums["solved"],
            "response": sums.median("response"),
            "resolution": sums.median("resolution"),
            "compliance": sums.compliance(),
            "satisfaction": sums.average_score(),
            "owner": sums.owner_rate(),
        }
        for pk, sums in groups.items()
    ]


def backlog_now(scope: Scope, *, now) -> dict:
    """Open cases now by age, status and team, and how many are overdue: one grouped count
    over the open cases, read from an index alone on PostgreSQL (case_open_backlog_idx).
    What a view shows before the first pass has counted them (backlog_counted)."""
    rows = (
        scope.cases(Case.objects.filter(status__in=OPEN_STATUSES))
        .order_by()
        .values("status", "team_id")
        .annotate(**open_aggregates(now))
    )
    return backlog_of(rows)


def backlog_counted(scope: Scope) -> dict:
    """The open cases as the last pass counted them (reports.rollup.open_count): a sum
    over one row per status, team, agent, channel and category, whatever their number."""
    rows = (
        scope.rollup(OpenCount.objects.all())
        .order_by()
        .values("status", "team_id")
        .annotate(
            cases=Sum("total"),
            late=Sum("overdue"),
            **{f"aged_{days}": Sum(f"older_{days}") for days in AGE_DAYS},
        )
    )
    return backlog_of(rows)


def backlog_of(rows) -> dict:
    """The backlog figures from counts of open cases per status and team (open_aggregates)."""
    by_age = [0] * len(AGE_LABELS)
    by_status = {status: 0 for status in OPEN_STATUSES}
    by_team: dict = {}
    overdue = 0
    for row in rows:
        # "At least n days old" counts, nested: each bucket is the difference of two.
        at_least = [row["cases"], *(row[f"aged_{days}"] for days in AGE_DAYS)]
        for index, count in enumerate(at_least):
            following = at_least[index + 1] if index + 1 < len(at_least) else 0
            by_age[index] += count - following
        by_status[row["status"]] += row["cases"]
        by_team[row["team_id"]] = by_team.get(row["team_id"], 0) + row["cases"]
        overdue += row["late"]
    return {
        "total": sum(by_age),
        "overdue": overdue,
        "by_age": list(zip(AGE_LABELS, by_age, strict=True)),
        "by_status": [(Status(status).label, count) for status, count in by_status.items()],
        "by_team": by_team,
    }


def comments_latest(period: Period, scope: Scope, limit: int = 5) -> list:
    return list(
        scope.cases(
            CaseRating.objects.filter(
                created_at__gte=period.bounds()[0], created_at__lt=period.bounds()[1]
            ).exclude(comment=""),
            prefix="case__",
        )
        .select_related("case")
        .order_by("-created_at")[:limit]
    )


def contacts_spread(period: Period, scope: Scope) -> int:
    """Contacts whose cases solved in the period (in scope) went to more than one agent,
    counted from the agent changes (AgentChange) with both cases in the period: the
    changes within the one team, channel or category filtered on, or among all cases.
    With several filters (or a lead's several teams) those changes give the candidates,
    whose solved cases in scope are then checked: next to nothing when few contacts
    changed agent, about the cost of grouping the period's solved cases when most did.
    Nothing at all for one agent's figures, where nobody can have several agents."""
    if scope.agent_id is not None:
        return 0
    teams = None if scope.teams is None else set(scope.teams)
    if scope.team_id is not None:
        teams = {scope.team_id} & teams if teams is not None else {scope.team_id}
    if teams is not None and not teams:
        return 0
    filtered = {
        "team": next(iter(teams)) if teams is not None and len(teams) == 1 else None,
        "channel": scope.channel or None,
        "category": scope.category_id,
    }
    chosen = {
        kind: {AgentChange.WITHIN[kind]: value}
        for kind, value in filtered.items()
        if value is not None
    }
    within, value = next(iter(chosen.items()), ("", {}))
    changes = AgentChange.objects.filter(
        within=within,
        resolved_day__gte=period.first,
        resolved_day__lte=period.last,
        previous_day__gte=period.first,
        **value,
    )
    several_teams = teams is not None and len(teams) > 1
    if len(chosen) <= 1 and not several_teams:
        return changes.values("contact_id").distinct().count()
    facts = CaseFact.objects.filter(
        contact_id__in=changes.values("contact_id"),
        resolved_day__gte=period.first,
        resolved_day__lte=period.last,
        agent_id__isnull=False,
    )
    return (
        scope.rollup(facts)
        .order_by()
        .values("contact_id")
        # Two agents or more: the lowest and highest differ (no distinct count to sort).
        .annotate(lowest=Min("agent_id"), highest=Max("agent_id"))
        .filter(lowest__lt=F("highest"))
        .count()
    )


def self_service(period: Period, *, now=None, limit: int = 5) -> dict:
    """The help centre as a whole (not filtered by team or agent): suggested articles
    opened from the contact form, those that answered the question (no case from the same
    browser within a day) and those that did not."""
    now = now or timezone.now()
    start, end = period.bounds()
    opens = SuggestionOpen.objects.filter(opened_at__gte=start, opened_at__lt=end)
    counts = opens.aggregate(
        opened=Count("pk"),
        followed=Count("pk", filter=Q(case__isnull=False)),
        deflected=Count("pk", filter=Q(case__isnull=True, opened_at__lt=now - DEFLECTION_WINDOW)),
    )
    failing = list(
        Article.objects.filter(suggestion_opens__in=opens.filter(case__isnull=False))
        .annotate(followed=Count("suggestion_opens"))
        .order_by("-followed", "title")
        .values("pk", "title", "slug", "followed")[:limit]
    )
    counts["suggested"] = (
        SuggestionDay.objects.filter(day__gte=period.first, day__lte=period.last).aggregate(
            total=Sum("suggested")
        )["total"]
        or 0
    )
    counts["rate"] = share(counts["deflected"], counts["opened"])
    counts["failing"] = failing
    return counts
