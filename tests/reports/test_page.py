"""The reports pages: who may see what, filters in the URL, bad input, CSV, query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import Team
from cases.models import CaseRating, Channel, Status
from cases.personal_data import contact_erase
from reports.exports import cell_safe
from reports.figures import report_prepare
from reports.models import RollupState
from reports.rollup import rollup_rebuild, rollup_refresh
from reports.tasks import reports_refresh
from tests.factories import AgentFactory, CaseFactory, ContactFactory, TeamFactory


def solved(agent, *, days_ago=1, comment="", channel=Channel.WEB):
    now = timezone.now()
    when = now - timedelta(days=days_ago)
    case = CaseFactory(
        assignee=agent,
        team=agent.team,
        channel=channel,
        created_at=when,
        # never in the future: in the last hour of a day that would be tomorrow
        resolved_at=min(when + timedelta(hours=1), now),
        status=Status.RESOLVED,
        contact=ContactFactory(owner=agent),
    )
    if comment:
        CaseRating.objects.create(case=case, agent=agent, score=4, comment=comment)
    return case


@pytest.fixture
def lead(db, team):
    lead = AgentFactory(team=team, user__username="lead")
    team.lead = lead
    team.save()
    return lead


def test_an_agent_is_refused_the_team_reports_but_sees_their_own(client, agent, other_agent):
    solved(agent)
    solved(other_agent)
    rollup_rebuild()
    client.force_login(agent.user)
    response = client.get("/desk/reports/")
    assert response.status_code == 403
    response = client.get("/desk/reports/me/")
    assert response.status_code == 200
    assert response.context["report"].current["solved"] == 1
    assert "My figures" in response.text
    assert "Per agent" not in response.text


def test_anonymous_visitors_go_to_the_login(client, db):
    for path in ("/desk/reports/", "/desk/reports/me/", "/desk/reports/?export=agents"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_a_non_agent_is_refused(client, non_agent):
    client.force_login(non_agent)
    assert client.get("/desk/reports/me/").status_code == 403


def test_a_team_lead_sees_only_their_team(client, lead, agent):
    billing = AgentFactory(team=TeamFactory(name="Billing"))
    solved(agent)
    solved(billing)
    rollup_rebuild()
    client.force_login(lead.user)
    response = client.get("/desk/reports/")
    assert response.status_code == 200
    assert response.context["report"].current["solved"] == 1
    assert [row["name"] for row in response.context["team_rows"]] == ["Customer Care"]
    # Asking for another team is refused as a bad filter, not answered.
    response = client.get(f"/desk/reports/?team={billing.team_id}")
    assert response.status_code == 400
    assert "report" not in response.context


def test_a_manager_sees_every_team_and_filters_in_the_url(client, manager, agent):
    billing = AgentFactory(team=TeamFactory(name="Billing"))
    solved(agent, channel=Channel.EMAIL)
    solved(billing)
    solved(billing, days_ago=40)
    rollup_rebuild()
    client.force_login(manager.user)
    assert client.get("/desk/reports/").context["report"].current["solved"] == 2
    assert client.get("/desk/reports/?period=90").context["report"].current["solved"] == 3
    response = client.get(f"/desk/reports/?period=90&team={billing.team_id}")
    assert response.context["report"].current["solved"] == 2
    response = client.get("/desk/reports/?period=7&channel=email")
    assert response.context["report"].current["solved"] == 1
    response = client.get(f"/desk/reports/?agent={agent.pk}")
    assert response.context["report"].current["solved"] == 1


@pytest.mark.parametrize(
    "query, error",
    [
        ("period=custom&start=2026-11-10&end=2026-11-01", "starts after it ends"),
        ("period=custom&start=2026-11-10", "Give both dates"),
        ("period=custom&start=2024-01-01&end=2025-06-01", "at most a year"),
        ("period=fortnight", "Select a valid choice"),
        ("team=999999", "Select a valid choice"),
        ("period=custom&start=yesterday&end=today", "Enter a valid date"),
        ("period=custom&start=0001-01-01&end=0001-01-02", "from 1 January 2000 on"),
        ("team=99999999999999999999999", "Select a valid choice"),
        ("channel=<script>", "Select a valid choice"),
    ],
)
def test_bad_filters_get_a_clear_error(client, manager, query, error):
    client.force_login(manager.user)
    response = client.get(f"/desk/reports/?{query}")
    assert response.status_code == 400
    assert error in response.text


def test_a_range_ending_after_today_is_refused(client, manager):
    client.force_login(manager.user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.get(f"/desk/reports/?period=custom&start=2026-01-01&end={tomorrow}")
    assert response.status_code == 400
    assert "cannot end after today" in response.text


def test_a_custom_range_of_exactly_a_year_is_taken(client, manager):
    client.force_login(manager.user)
    end = timezone.localdate()
    start = end - timedelta(days=365)
    response = client.get(f"/desk/reports/?period=custom&start={start}&end={end}")
    assert response.status_code == 200
    assert response.context["period"].days == 366


def test_tables_download_as_csv_without_formulas(client, manager, agent):
    agent.user.first_name = "=cmd|' /C calc'!A0"
    agent.user.save()
    solved(agent, comment="@SUM(A1:A9) was my rating")
    rollup_rebuild()
    client.force_login(manager.user)
    response = client.get("/desk/reports/?export=agents")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Name",
        "Solved",
        "First response median",
        "Resolution median",
        "Compliance",
        "Satisfaction",
        "Single point of contact",
    ]
    assert rows[1][0].startswith("'=cmd")
    assert rows[1][1] == "1"
    assert rows[1][5] == "4.0"  # satisfaction, one decimal
    comments = list(csv.reader(io.StringIO(client.get("/desk/reports/?export=comments").text)))
    assert comments[1][3] == "'@SUM(A1:A9) was my rating"
    for table, header in (
        ("teams", "Name"),
        ("days", "Day"),
        ("backlog", "Age"),
        ("comments", "Case"),
    ):
        response = client.get(f"/desk/reports/?export={table}")
        assert response["Content-Disposition"] == f'attachment; filename="report-{table}.csv"'
        assert response.text.split(",")[0] == header
    refused = client.get("/desk/reports/?export=passwords")
    assert refused.status_code == 403
    assert "There is no such table to download." in refused.text


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        (-3, "-3"),
        (None, ""),
    ],
)
def test_cell_safe(value, cell):
    assert cell_safe(value) == cell


def test_tables_sort_by_any_column(client, manager, agent, other_agent):
    solved(agent)
    solved(other_agent)
    solved(other_agent, days_ago=2)
    rollup_rebuild()
    client.force_login(manager.user)
    names = [row["name"] for row in client.get("/desk/reports/").context["agent_rows"]]
    assert names == [other_agent.name, agent.name]
    response = client.get("/desk/reports/?asort=handled")
    assert [row["name"] for row in response.context["agent_rows"]] == [agent.name, other_agent.name]
    response = client.get("/desk/reports/?asort=-name")
    assert [row["name"] for row in response.context["agent_rows"]] == sorted(
        [agent.name, other_agent.name], reverse=True
    )
    # An unknown column falls back to the default order.
    response = client.get("/desk/reports/?asort=password")
    assert response.status_code == 200


def test_the_page_reads_the_same_number_of_queries_at_two_sizes(
    client, manager, agent, other_agent, assert_queries
):
    client.force_login(manager.user)
    for _ in range(2):
        solved(agent, comment="Thanks")
    rollup_rebuild()
    # Session with user; rollup: previous period, days, people; backlog, comments, spread,
    # self-service (3); state; teams and agents for the form and names (4); categories.
    with assert_queries(16):
        assert client.get("/desk/reports/?period=90").status_code == 200
    for days_ago in range(60):
        solved(other_agent, days_ago=days_ago, comment="Fine")
        solved(agent, days_ago=days_ago)
    rollup_rebuild()
    with assert_queries(16):
        response = client.get("/desk/reports/?period=90")
    assert response.context["report"].current["solved"] == 122


def test_the_page_opens_on_the_last_30_days_and_says_so(client, manager):
    client.force_login(manager.user)
    response = client.get("/desk/reports/")
    assert response.context["period"].days == 30
    assert '<option value="30" selected>' in response.text


def test_what_customers_and_agents_typed_is_shown_escaped(client, manager, agent):
    agent.user.first_name = "<b>Ana</b>"
    agent.user.save()
    solved(agent, comment="<script>alert(1)</script>")
    rollup_rebuild()
    client.force_login(manager.user)
    response = client.get("/desk/reports/")
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<b>Ana</b>" not in response.text


def test_my_figures_are_mine_whatever_the_url_asks(client, agent, other_agent):
    solved(agent)
    solved(other_agent)
    solved(other_agent, days_ago=2)
    rollup_rebuild()
    client.force_login(agent.user)
    response = client.get(f"/desk/reports/me/?agent={other_agent.pk}&team={agent.team_id}")
    assert response.status_code == 200
    assert response.context["report"].current["solved"] == 1
    assert client.get("/desk/reports/me/?export=agents").text.count("\n") == 2  # header + me


def test_a_report_is_worked_out_once_per_pass_and_says_when_it_counted(
    client, manager, agent, assert_queries
):
    """The rollup changes only at a pass: a second view reads the pass and the form's lists,
    not the figures again, and the open cases stay as counted until the next pass."""
    client.force_login(manager.user)
    solved(agent, comment="Thanks")
    rollup_rebuild()
    with assert_queries(16):
        first = client.get("/desk/reports/?period=90")
    assert first.context["report"].backlog["total"] == 0
    # Session with user; the pass; comments; teams and agents for the form and names (4);
    # categories.
    with assert_queries(8):
        again = client.get("/desk/reports/?period=90")
    assert again.context["report"].current["solved"] == 1
    # The pass counted the open cases: the page says when.
    counted = RollupState.objects.get().counted_at
    assert first.context["report"].counted_at == counted
    assert f"Open cases counted at {timezone.localtime(counted):%-d %b %H:%M}." in again.text
    CaseFactory(assignee=agent, team=agent.team, status=Status.OPEN)
    assert client.get("/desk/reports/?period=90").context["report"].backlog["total"] == 0
    # Another period or scope is another report, with the open cases the pass counted.
    with assert_queries(16):
        other = client.get("/desk/reports/?period=7").context["report"]
    assert (other.backlog["total"], other.counted_at) == (0, counted)
    team = client.get(f"/desk/reports/?period=7&team={agent.team_id}").context["report"]
    assert (team.backlog["total"], team.counted_at) == (0, counted)
    # The next pass, even with nothing solved, counts again.
    rollup_refresh()
    with assert_queries(16):
        response = client.get("/desk/reports/?period=90")
    assert response.context["report"].backlog["total"] == 1
    assert response.context["report"].counted_at > counted
    team = client.get(f"/desk/reports/?period=7&team={agent.team_id}").context["report"]
    assert team.backlog["total"] == 1


def test_a_kept_report_is_not_shown_to_a_narrower_scope(client, manager, lead, agent):
    billing = AgentFactory(team=TeamFactory(name="Billing"))
    solved(agent)
    solved(billing)
    CaseFactory(assignee=billing, team=billing.team, status=Status.OPEN)
    rollup_rebuild()
    client.force_login(manager.user)
    everyone = client.get("/desk/reports/").context["report"]
    assert (everyone.current["solved"], everyone.backlog["total"]) == (2, 1)
    client.force_login(lead.user)
    theirs = client.get("/desk/reports/").context["report"]
    assert (theirs.current["solved"], theirs.backlog["total"]) == (1, 0)
    client.force_login(agent.user)
    mine = client.get("/desk/reports/me/").context["report"]
    assert (mine.current["solved"], mine.backlog["total"]) == (1, 0)


def test_the_pass_works_out_the_pages_opened_without_a_filter(
    client, manager, lead, agent, assert_queries
):
    billing = AgentFactory(team=TeamFactory(name="Billing"))
    solved(agent)
    solved(billing)
    reports_refresh.delay()
    client.force_login(manager.user)
    # The chosen team is read to check it: one query more.
    for query, count in (
        ("", 8),
        ("?period=7", 8),
        ("?period=90", 8),
        (f"?team={billing.team_id}&period=90", 9),
    ):
        with assert_queries(count):
            response = client.get(f"/desk/reports/{query}")
        assert response.status_code == 200
    assert response.context["report"].current["solved"] == 1
    # Any other page is worked out by its first view; last month, every team. (Not this
    # month: on the 30th of a 30-day month it is the last 30 days, which the pass has
    # worked out.)
    with assert_queries(16):
        client.get("/desk/reports/?period=last_month")
    with assert_queries(17):
        client.get(f"/desk/reports/?channel=web&team={billing.team_id}")
    # A team lead's page, for the teams they lead (read first: one query more).
    client.force_login(lead.user)
    with assert_queries(9):
        response = client.get("/desk/reports/")
    assert response.context["report"].current["solved"] == 1


def test_an_erased_contacts_comment_leaves_a_kept_report_at_once(client, manager, agent):
    case = solved(agent, comment="Call me on 555 0100")
    rollup_rebuild()
    client.force_login(manager.user)
    assert "Call me on 555 0100" in client.get("/desk/reports/").text
    contact_erase(contact=case.contact, actor=manager.user)
    response = client.get("/desk/reports/")
    assert response.context["report"].current["rated"] == 1  # the figures stay kept
    assert "Call me on 555 0100" not in response.text
    assert "Call me on 555 0100" not in client.get("/desk/reports/?export=comments").text


def test_the_pass_prepares_each_period_of_each_scope(manager, lead, agent):
    TeamFactory(name="Billing")
    rollup_rebuild()
    assert list(Team.objects.values_list("name", "lead_id")) == [
        ("Billing", None),
        ("Customer Care", lead.pk),
    ]
    # Every team, Billing, Customer Care, the lead's teams: four scopes, three periods.
    assert report_prepare() == 12


def test_the_pass_stops_preparing_when_the_cache_fails(manager, agent, kept_cache_down):
    rollup_rebuild()
    assert report_prepare() == 1


def test_with_the_cache_down_every_view_works_the_report_out(
    client, manager, agent, kept_cache_down, assert_queries
):
    solved(agent)
    rollup_rebuild()
    client.force_login(manager.user)
    for _ in range(2):
        with assert_queries(16):
            response = client.get("/desk/reports/")
        assert response.context["report"].current["solved"] == 1
    # The open cases are the pass's count, which is kept in the database, not the cache.
    CaseFactory(assignee=agent, team=agent.team, status=Status.OPEN)
    assert client.get("/desk/reports/").context["report"].backlog["total"] == 0
    rollup_refresh()
    assert client.get("/desk/reports/").context["report"].backlog["total"] == 1
