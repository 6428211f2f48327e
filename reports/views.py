"""/desk/reports/ for managers (every team) and team leads (their teams); /desk/reports/me/
for each agent's own figures."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from agents.desk import agent_required
from agents.models import Agent, Team
from cases.models import Category, Channel
from reports import charts
from reports.exports import table_export
from reports.figures import (
    DEFAULT_DAYS,
    TARGET_NAMES,
    Scope,
    report_kept,
    teams_led,
)
from reports.forms import ReportFilterForm
from reports.headlines import headlines_of

COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("handled", gettext_lazy("Solved")),
    ("response", gettext_lazy("First response (median)")),
    ("resolution", gettext_lazy("Resolution (median)")),
    ("compliance", gettext_lazy("Compliance")),
    ("satisfaction", gettext_lazy("Satisfaction")),
    ("owner", gettext_lazy("Single point of contact")),
]
SORTS = tuple(key for key, _name in COLUMNS)


@agent_required
@require_safe
def reports_page(request):
    agent = request.agent
    if request.user.is_staff:
        teams, led = Team.objects.all(), None
    else:
        led = teams_led(agent.pk)
        if not led:
            raise PermissionDenied(
                _("Reports are for managers and team leads; your own are under My figures.")
            )
        teams = Team.objects.filter(pk__in=led)
    agents = Agent.objects.select_related("user").order_by("user__first_name", "user__username")
    if led is not None:
        agents = agents.filter(team_id__in=led)
    return _page(request, teams=teams, agents=agents, led=led, personal=False)


@agent_required
@require_safe
def reports_me(request):
    return _page(
        request,
        teams=Team.objects.none(),
        agents=Agent.objects.none(),
        led=None,
        personal=True,
    )


def _page(request, *, teams, agents, led, personal):
    # Always bound: with nothing chosen the form means (and shows) the last 30 days.
    chosen = request.GET.copy()
    if not chosen.get("period"):
        chosen["period"] = str(DEFAULT_DAYS)
    form = ReportFilterForm(
        chosen,
        today=timezone.localdate(),
        teams=teams,
        agents=agents,
        categories=Category.objects.all(),
        personal=personal,
    )
    if not form.is_valid():
        return render(
            request, "reports/page.html", {"form": form, "personal": personal}, status=400
        )
    data = form.cleaned_data
    scope = Scope(
        teams=led,
        team_id=data["team"].pk if data.get("team") else None,
        agent_id=request.agent.pk
        if personal
        else (data["agent"].pk if data.get("agent") else None),
        channel=data.get("channel") or "",
        category_id=data["category"].pk if data.get("category") else None,
    )
    period = form.chosen_period()
    report = report_kept(period, scope)
    team_names = {team.pk: team.name for team in teams}
    agent_names = {person.pk: person.name for person in agents}
    if personal:
        agent_names[request.agent.pk] = request.agent.name
    team_rows = _table(report.teams, team_names, _("No team"), request.GET.get("tsort"))
    agent_rows = _table(report.agents, agent_names, _("Unassigned"), request.GET.get("asort"))
    export = request.GET.get("export")
    if export:
        return table_export(export, report, team_rows, agent_rows)
    days = report.days
    scores = [
        (f"{score} ★", count)
        for score, count in zip(range(1, 6), report.current.scores(), strict=True)
    ]
    channels = list(Channel.choices)
    day_labels = [date_format(row["day"], "j M") for row in days]
    context = {
        "form": form,
        "personal": personal,
        "leads": personal and not request.user.is_staff and bool(teams_led(request.agent.pk)),
        "report": report,
        "period": period,
        "headlines": headlines_of(report),
        "compliance": [
            {
                "name": TARGET_NAMES[target],
                "met": report.current.met(target),
                "missed": report.current.missed(target),
                "share": report.current.compliance(target),
            }
            for target in TARGET_NAMES
        ],
        "team_rows": team_rows,
        "agent_rows": agent_rows,
        "days": days,
        "volume_chart": charts.line_chart(
            "volume",
            _("New and solved cases per day"),
            day_labels,
            [
                (_("New"), [row["created"] for row in days]),
                (_("Solved"), [row["solved"] for row in days]),
            ],
        ),
        "compliance_chart": charts.line_chart(
            "compliance",
            _("Share of response-time targets met, per day"),
            day_labels,
            [
                (
                    _("Met %"),
                    [
                        round(100 * row["met"] / (row["met"] + row["missed"]))
                        if row["met"] + row["missed"]
                        else None
                        for row in days
                    ],
                )
            ],
            top=100,
            unit="%",
        ),
        "backlog_chart": charts.bar_chart(
            "backlog", _("Open cases by age"), report.backlog["by_age"]
        ),
        "backlog_teams": sorted(
            (team_names.get(team, _("No team")), count)
            for team, count in report.backlog["by_team"].items()
        ),
        "scores_chart": charts.bar_chart("scores", _("Ratings by score"), scores),
        "volume_table": {
            "header": [_("Day"), _("New"), _("Solved"), *(label for _key, label in channels)],
            "rows": [
                [
                    label,
                    row["created"],
                    row["solved"],
                    *(row["channels"].get(key, 0) for key, _label in channels),
                ]
                for label, row in zip(day_labels, days, strict=True)
            ],
        },
        "channel_chart": charts.bar_chart(
            "channels",
            _("New cases by channel"),
            [(label, report.by_channel.get(key, 0)) for key, label in channels],
        ),
        "channel_table": {
            "header": [_("Channel"), _("New cases")],
            "rows": [[label, report.by_channel.get(key, 0)] for key, label in channels],
        },
        "compliance_table": {
            "header": [_("Day"), _("Met"), _("Missed")],
            "rows": [
                [label, row["met"], row["missed"]]
                for label, row in zip(day_labels, days, strict=True)
            ],
        },
        "backlog_table": {
            "header": [_("Age"), _("Open cases")],
            "rows": [list(pair) for pair in report.backlog["by_age"]],
        },
        "scores_table": {
            "header": [_("Score"), _("Ratings")],
            "rows": [list(pair) for pair in scores],
        },
        "query": request.GET.urlencode(),
        "team_headers": _headers(
            COLUMNS, request.GET.get("tsort"), "tsort", _without(request.GET, "tsort", "export")
        ),
        "agent_headers": _headers(
            COLUMNS, request.GET.get("asort"), "asort", _without(request.GET, "asort", "export")
        ),
    }
    return render(request, "reports/page.html", context)


def _without(query, *names) -> str:
    copy = query.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()


def _table(figures, names, nobody, sort):
    """The per-team or per-agent rows of the report (figures.people_figures), named and
    sorted."""
    rows = [
        {**row, "name": names.get(row["pk"], nobody) if row["pk"] is not None else nobody}
        for row in figures
    ]
    key, descending = _sort_of(sort)
    # By name first, so that ties keep alphabetical order (sorting is stable, reversed too);
    # rows without the figure, and the no-team or unassigned row, come last.
    rows.sort(key=lambda row: str(row["name"]))
    present = [row for row in rows if row[key] is not None and row["pk"] is not None]
    missing = [row for row in rows if row[key] is None and row["pk"] is not None]
    nobody_rows = [row for row in rows if row["pk"] is None]
    present.sort(key=lambda row: row[key], reverse=descending)
    return present + missing + nobody_rows


# The first click on a column: names A to Z and times fastest first; counts and shares
# highest first.
ASCENDING_FIRST = {"name", "response", "resolution"}


def _sort_of(sort) -> tuple[str, bool]:
    key = (sort or "").lstrip("-")
    if key not in SORTS:
        return "handled", True
    return key, (sort or "").startswith("-")


def _headers(columns, sort, param, query) -> list[dict]:
    """Each column's header link: the other direction if it is the sorted one, else its
    first direction. `query` keeps the filters and the other table's order."""
    current, descending = _sort_of(sort)
    headers = []
    for key, name in columns:
        if key == current:
            target = key if descending else f"-{key}"
            aria = "descending" if descending else "ascending"
        else:
            target = key if key in ASCENDING_FIRST else f"-{key}"
            aria = ""
        headers.append({"name": name, "href": f"?{query}&{param}={target}", "aria": aria})
    return headers
