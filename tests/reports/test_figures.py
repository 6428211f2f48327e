"""Each figure against a small fixture whose numbers are worked out by hand below.

The period is 2 to 4 November 2026 (three days); the previous one 30 October to 1 November.
Times are UTC (the test settings' zone) and no case has a calendar, so business minutes
are wall-clock minutes.

1. contact X (owner Ana), T1, Ana, web: opened 2 Nov 09:00, replied 09:20 (20 min), solved
   11:00 (120 min); one reply; rated 5 (recommend 10) on 3 Nov.
2. contact X, T1, Ben, email: opened 2 Nov 10:00, replied 14:00 (240), again 3 Nov 10:00,
   solved then (1440); rated 2 (recommend 3) on 4 Nov.
3. contact Y (owner Cleo), T2, Cleo, phone: opened 3 Nov 08:00, replied 08:10 (10), reopened,
   replied again and solved 4 Nov 09:00 (1500 less 180 paused = 1320).
4. contact Y, T1, Ana (handed from Cleo), web: opened 4 Nov 09:00, replied 09:30 (30); open,
   due 4 Nov 10:00.
5. contact Z (owner Ana), T1, Ana, web: opened 1 Nov 10:00 (the previous period), replied
   10:30 (30), solved 12:00 (120); one reply.

Outcomes: 1 first response met (2 Nov), 1 resolution met (2 Nov), 2 first response missed
(2 Nov), 2 resolution met (3 Nov), 3 first response met (3 Nov), 3 next reply missed (4 Nov),
5 first response met (1 Nov).
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from agents.models import BusinessCalendar
from cases.models import CaseEvent, CaseRating, Channel, Message, SlaOutcome, SlaPolicy, Status
from knowledge.models import SuggestionDay, SuggestionOpen
from reports.figures import Period, Scope, bucket_label, percentile, report_build
from reports.headlines import headlines_of
from reports.models import CaseFact
from reports.rollup import rollup_rebuild
from tests.factories import AgentFactory, CaseFactory, ContactFactory, TeamFactory
from tests.knowledge.factories import ArticleFactory

PERIOD = Period(date(2026, 11, 2), date(2026, 11, 4))
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def at(day, hour, minute=0):
    return datetime(2026, 11 if day < 20 else 10, day, hour, minute, tzinfo=UTC)


def solved_case(*, contact, team, agent, channel, opened, replies, resolved, **extra):
    case = CaseFactory(
        contact=contact,
        team=team,
        assignee=agent,
        channel=channel,
        created_at=opened,
        first_response_at=replies[0][1],
        resolved_at=resolved,
        status=Status.RESOLVED if resolved else Status.OPEN,
        **extra,
    )
    Message.objects.create(case=case, author_contact=contact, body="Help", created_at=opened)
    for author, moment in replies:
        Message.objects.create(case=case, author_agent=author, body="Reply", created_at=moment)
    # A note is not a reply.
    Message.objects.create(case=case, author_agent=agent, body="Note", is_internal=True)
    return case


def outcome(case, target, done, met):
    SlaOutcome.objects.create(
        case=case, target=target, due_at=done, done_at=done, met=met, margin_seconds=0
    )


@pytest.fixture
def fixture(db):
    t1, t2 = TeamFactory(name="T1"), TeamFactory(name="T2")
    ana = AgentFactory(team=t1, user__first_name="Ana", user__username="ana")
    ben = AgentFactory(team=t1, user__first_name="Ben", user__username="ben")
    cleo = AgentFactory(team=t2, user__first_name="Cleo", user__username="cleo")
    x, y, z = (ContactFactory(owner=owner) for owner in (ana, cleo, ana))
    one = solved_case(
        contact=x,
        team=t1,
        agent=ana,
        channel=Channel.WEB,
        opened=at(2, 9),
        replies=[(ana, at(2, 9, 20))],
        resolved=at(2, 11),
    )
    two = solved_case(
        contact=x,
        team=t1,
        agent=ben,
        channel=Channel.EMAIL,
        opened=at(2, 10),
        replies=[(ben, at(2, 14)), (ben, at(3, 10))],
        resolved=at(3, 10),
    )
    three = solved_case(
        contact=y,
        team=t2,
        agent=cleo,
        channel=Channel.PHONE,
        opened=at(3, 8),
        replies=[(cleo, at(3, 8, 10)), (cleo, at(4, 8, 30))],
        resolved=at(4, 9),
        paused_minutes=180,
    )
    CaseEvent.objects.create(case=three, kind=CaseEvent.Kind.REOPENED, detail="Reopened.")
    four = solved_case(
        contact=y,
        team=t1,
        agent=ana,
        channel=Channel.WEB,
        opened=at(4, 9),
        replies=[(ana, at(4, 9, 30))],
        resolved=None,
        due_at=at(4, 10),
    )
    CaseEvent.objects.create(
        case=four, kind=CaseEvent.Kind.REASSIGNED, detail="Reassigned from Cleo to Ana."
    )
    five = solved_case(
        contact=z,
        team=t1,
        agent=ana,
        channel=Channel.WEB,
        opened=at(1, 10),
        replies=[(ana, at(1, 10, 30))],
        resolved=at(1, 12),
    )
    CaseRating.objects.create(
        case=one, agent=ana, score=5, recommend=10, comment="Great help", created_at=at(3, 12)
    )
    CaseRating.objects.create(
        case=two, agent=ben, score=2, recommend=3, comment="=HYPERLINK(1)", created_at=at(4, 12)
    )
    outcome(one, "first_response", at(2, 9, 20), True)
    outcome(one, "resolution", at(2, 11), True)
    outcome(two, "first_response", at(2, 14), False)
    outcome(two, "resolution", at(3, 10), True)
    outcome(three, "first_response", at(3, 8, 10), True)
    outcome(three, "next_reply", at(4, 8, 30), False)
    outcome(five, "first_response", at(1, 10, 30), True)
    rollup_rebuild(now=NOW)
    return {"t1": t1, "t2": t2, "ana": ana, "ben": ben, "cleo": cleo}


def test_volume_times_and_rates_of_the_period(fixture):
    report = report_build(PERIOD, Scope(), now=NOW)
    now, before = report.current, report.before
    # Opened 2-4 Nov: cases 1, 2, 3, 4. Before: case 5.
    assert (now["created"], before["created"]) == (4, 1)
    # Solved 2-4 Nov: 1 (2 Nov), 2 (3 Nov), 3 (4 Nov). Before: 5.
    assert (now["solved"], before["solved"]) == (3, 1)
    # First responses 20, 240, 10, 30 min: buckets ≤30, ≤4h, ≤15, ≤30. The 2nd of 4 is ≤ 30
    # min; the 4th (ceil 3.6) is ≤ 4 h.
    assert bucket_label(now.median("response")) == "≤ 30 min"
    assert bucket_label(now.p90("response")) == "≤ 4 h"
    # Resolution 120, 1440, 1320: the 2nd of 3 is ≤ 1 d, and so is the 3rd.
    assert bucket_label(now.median("resolution")) == "≤ 1 d"
    assert bucket_label(now.p90("resolution")) == "≤ 1 d"
    assert bucket_label(before.median("resolution")) == "≤ 2 h"
    # One reply and never reopened: only case 1 of 3; before, case 5 of 1.
    assert now.first_contact_rate() == pytest.approx(1 / 3)
    assert before.first_contact_rate() == 1
    # Reopened: case 3 of 3.
    assert now.reopen_rate() == pytest.approx(1 / 3)
    # Outcomes 2-4 Nov: met 1 FR, 1 RES, 2 RES, 3 FR; missed 2 FR, 3 NR.
    assert (now.met(), now.missed()) == (4, 2)
    assert (now.met("first_response"), now.missed("first_response")) == (2, 1)
    assert (now.met("next_reply"), now.missed("next_reply")) == (0, 1)
    assert now.compliance("resolution") == 1
    assert before.compliance() == 1


def test_satisfaction_and_the_single_point_of_contact(fixture):
    report = report_build(PERIOD, Scope(), now=NOW)
    now = report.current
    # Ratings 3 and 4 Nov: 5 and 2.
    assert now.average_score() == 3.5
    assert now.scores() == [0, 1, 0, 0, 1]
    assert now.response_rate() == pytest.approx(2 / 3)
    # Recommend 10 (promoter) and 3 (detractor): 50% - 50%.
    assert now.nps() == 0
    # Every reply by the owner: case 1 (Ana owns X) and 3 (Cleo owns Y); not 2 (Ben).
    assert now.owner_rate() == pytest.approx(2 / 3)
    # Hand-offs count on solved cases; case 4 (handed off) is open.
    assert now.handoffs_per_case() == 0
    # Contact X's solved cases went to Ana and Ben; Y's only to Cleo.
    assert report.spread_contacts == 1
    assert [rating.comment for rating in report.comments] == ["=HYPERLINK(1)", "Great help"]


def test_backlog_now(fixture):
    backlog = report_build(PERIOD, Scope(), now=NOW).backlog
    # Case 4: opened 27 hours before NOW, due an hour after it opened.
    assert (backlog["total"], backlog["overdue"]) == (1, 1)
    assert [count for _label, count in backlog["by_age"]] == [0, 1, 0, 0, 0]
    assert [count for _label, count in backlog["by_status"]] == [0, 1, 0]  # new, open, waiting
    assert backlog["by_team"] == {fixture["t1"].pk: 1}


def test_filters_narrow_every_figure(fixture):
    team2 = report_build(PERIOD, Scope(team_id=fixture["t2"].pk), now=NOW)
    assert (team2.current["created"], team2.current["solved"]) == (1, 1)
    assert team2.backlog["total"] == 0
    # Filters combine: team 1 and the web (cases 1 and 4), not team 1 or the web.
    both = report_build(PERIOD, Scope(team_id=fixture["t1"].pk, channel=Channel.WEB), now=NOW)
    assert (both.current["created"], both.current["solved"]) == (2, 1)
    email = report_build(PERIOD, Scope(channel=Channel.EMAIL), now=NOW).current
    assert (email["created"], email["solved"], email.first_contact_rate()) == (1, 1, 0)
    ben = report_build(PERIOD, Scope(agent_id=fixture["ben"].pk), now=NOW)
    assert ben.current["solved"] == 1
    assert [rating.score for rating in ben.comments] == [2]
    # A team lead's scope: only the teams they lead, whatever else is asked.
    led = report_build(PERIOD, Scope(teams=(fixture["t2"].pk,)), now=NOW)
    assert led.current["created"] == 1


def test_the_period_edges(fixture):
    # 1 Nov alone holds case 5; 5 Nov holds nothing.
    first = report_build(Period(date(2026, 11, 1), date(2026, 11, 1)), Scope(), now=NOW)
    assert (first.current["created"], first.current["solved"]) == (1, 1)
    assert first.previous == Period(date(2026, 10, 31), date(2026, 10, 31))
    empty = report_build(Period(date(2026, 11, 5), date(2026, 11, 5)), Scope(), now=NOW)
    assert empty.current["created"] == 0
    assert empty.current.median("response") is None
    assert empty.current.first_contact_rate() is None
    assert empty.self_service["suggested"] == 0
    assert len(empty.days) == 1
    # 3 Nov alone: case 1's rating, recommend 10: all promoters.
    third = report_build(Period(date(2026, 11, 3), date(2026, 11, 3)), Scope(), now=NOW)
    assert third.current.nps() == 100
    # Each solved case is counted once in the resolution histogram.
    assert sum(report_build(PERIOD, Scope(), now=NOW).current.histogram("resolution")) == 3


def test_new_cases_by_channel(fixture):
    report = report_build(PERIOD, Scope(), now=NOW)
    # Opened 2-4 Nov: 1 web, 2 email, 3 phone, 4 web.
    assert report.by_channel == {"web": 2, "email": 1, "phone": 1}
    assert [day["channels"] for day in report.days] == [
        {"web": 1, "email": 1},
        {"phone": 1},
        {"web": 1},
    ]


def test_days_in_the_period(fixture):
    days = report_build(PERIOD, Scope(), now=NOW).days
    assert [(row["created"], row["solved"]) for row in days] == [(2, 1), (1, 1), (1, 1)]
    assert [(row["met"], row["missed"]) for row in days] == [(2, 1), (2, 0), (0, 1)]
    assert days[0]["day"] == date(2026, 11, 2)
    assert days[-1]["day"] == PERIOD.first + timedelta(days=2)


def test_self_service_of_the_period(fixture):
    # Suggested: 3 on 1 Nov (before), 4 on 2 Nov and 5 on 4 Nov (in), 7 on 5 Nov (after).
    for day, count in ((1, 3), (2, 4), (4, 5), (5, 7)):
        SuggestionDay.objects.create(day=date(2026, 11, day), suggested=count)
    article, other = ArticleFactory(title="Reset"), ArticleFactory(title="Refunds")
    case = CaseRating.objects.first().case
    # Opened in the period: "Reset" twice and "Refunds" once followed by a case, "Refunds"
    # once not (and more than a day ago: a deflection).
    SuggestionOpen.objects.create(article=article, visitor_hash="a", opened_at=at(2, 9), case=case)
    SuggestionOpen.objects.create(article=article, visitor_hash="b", opened_at=at(3, 9), case=case)
    SuggestionOpen.objects.create(article=other, visitor_hash="c", opened_at=at(3, 9), case=case)
    SuggestionOpen.objects.create(article=other, visitor_hash="d", opened_at=at(4, 9))
    SuggestionOpen.objects.create(article=other, visitor_hash="e", opened_at=at(5, 9))  # after
    service = report_build(PERIOD, Scope(), now=timezone.now()).self_service
    assert service["suggested"] == 9
    assert (service["opened"], service["followed"], service["deflected"]) == (4, 3, 1)
    assert service["rate"] == 0.25
    assert [(row["title"], row["followed"]) for row in service["failing"]] == [
        ("Reset", 2),
        ("Refunds", 1),
    ]


def test_headlines_say_which_way_each_figure_moved_and_whether_that_is_better(fixture):
    headlines = {row["key"]: row for row in headlines_of(report_build(PERIOD, Scope(), now=NOW))}

    def said(key):
        return headlines[key]["value"], headlines[key]["change"], headlines[key]["tone"]

    # Opening more cases is neither better nor worse.
    assert said("created") == ("4", "up from 1", "neutral")
    assert said("solved") == ("3", "up from 1", "good")
    # Both periods' medians fall in the same bucket.
    assert said("response") == ("≤ 30 min", "same as the previous period", "neutral")
    # Slower is worse: ≤ 1 d against ≤ 2 h.
    assert said("resolution") == ("≤ 1 d", "up from ≤ 2 h", "bad")
    assert said("fcr") == ("33%", "down from 100%", "bad")
    assert said("reopen") == ("33%", "up from 0%", "bad")
    assert said("compliance") == ("67%", "down from 100%", "bad")
    # No rating before: nothing to compare with.
    assert said("satisfaction") == ("3.5 / 5", "no figure to compare", "neutral")
    assert said("nps") == ("+0", "no figure to compare", "neutral")
    assert all(row["definition"] for row in headlines.values())


def test_the_net_promoter_score_counts_passives_in_the_whole(fixture):
    # 10 (promoter) and 3 (detractor) in the fixture; a 7 and an 8 add two passives: of
    # four answers one promotes and one detracts, so the score stays 0; a further 9 makes
    # two promoters of five: (2 - 1) / 5 = +20.
    for recommend, day in ((7, 2), (8, 3), (9, 4)):
        case = CaseFactory(
            created_at=at(day, 8),
            resolved_at=at(day, 9),
            status=Status.RESOLVED,
            team=fixture["t1"],
            assignee=fixture["ana"],
        )
        CaseRating.objects.create(case=case, score=4, recommend=recommend, created_at=at(day, 10))
    rollup_rebuild(now=NOW)
    now = report_build(PERIOD, Scope(), now=NOW).current
    assert (now["promoters"], now["passives"], now["detractors"]) == (2, 2, 1)
    assert now.nps() == 20
    # Ratings without a comment are not among the latest comments.
    comments = report_build(PERIOD, Scope(), now=NOW).comments
    assert [rating.comment for rating in comments] == ["=HYPERLINK(1)", "Great help"]


def test_times_count_business_minutes_of_the_case_calendar_and_every_hand_off(db):
    """Office hours 9 to 17 on weekdays. Opened Friday 6 November 16:00, first answered
    Monday 9 November 10:00: 60 + 60 = 120 business minutes (≤ 2 h), not 66 hours. Solved
    Monday 12:00: 240 minutes (≤ 4 h). Handed from one agent to another twice."""
    office = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    for weekday in range(5):
        office.hours.create(weekday=weekday, start=time(9), end=time(17))
    office.holidays.create(date=date(2026, 12, 25), name="Christmas")
    policy = SlaPolicy.objects.create(name="Office", is_default=True, calendar=office)
    team = TeamFactory(name="T")
    ana, ben = AgentFactory(team=team), AgentFactory(team=team)
    case = solved_case(
        contact=ContactFactory(owner=ana),
        team=team,
        agent=ben,
        channel=Channel.WEB,
        opened=at(6, 16),
        replies=[(ben, at(9, 10))],
        resolved=at(9, 12),
        sla_policy=policy,
    )
    for detail in ("Reassigned from Ana to Ben.", "Escalated to Ben, lead of T."):
        kind = CaseEvent.Kind.REASSIGNED if "Reassigned" in detail else CaseEvent.Kind.ESCALATED
        CaseEvent.objects.create(case=case, kind=kind, detail=detail)
    # A first assignment from the queue is not a hand-off.
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.ASSIGNED, detail="Assignee: unassigned → Ben."
    )
    rollup_rebuild(now=at(10, 12))
    fact = CaseFact.objects.get(pk=case.pk)
    assert (fact.first_response_minutes, fact.resolution_minutes, fact.handoffs) == (120, 240, 2)
    week = report_build(
        Period(date(2026, 11, 6), date(2026, 11, 9)), Scope(), now=at(10, 12)
    ).current
    assert bucket_label(week.median("response")) == "≤ 2 h"
    assert bucket_label(week.median("resolution")) == "≤ 4 h"
    assert week.handoffs_per_case() == 2


@pytest.mark.parametrize(
    "histogram, share, bucket",
    [
        ([9, 1], 0.9, 0),  # the 9th of 10 (not the 10th, as 10 × 0.9 in floats would say)
        ([9, 1], 0.91, 1),
        ([1, 1], 0.5, 0),  # the 1st of 2
        ([0, 0, 3], 0.5, 2),
        ([0, 0], 0.5, None),
    ],
)
def test_percentile_ranks(histogram, share, bucket):
    assert percentile(histogram, share) == bucket
