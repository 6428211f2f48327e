from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agents.models import BusinessCalendar
from cases import desk, intake
from cases.models import Case, Priority, SlaOutcome, Status
from cases.sla import due
from cases.sla.clock import Clock
from tests.factories import CaseFactory, CategoryFactory, ContactFactory, OrganizationFactory
from tests.sla_helpers import office_calendar, policy

pytestmark = pytest.mark.django_db

# Friday 20 November 2026, 16:00 in Paris (15:00 UTC).
FRIDAY_4PM = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def paris(*args):
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris"))


def test_wall_clock_without_a_calendar():
    clock = Clock(None)

    assert clock.add(FRIDAY_4PM, 90) == FRIDAY_4PM + timedelta(minutes=90)
    assert clock.minutes_between(FRIDAY_4PM, FRIDAY_4PM + timedelta(hours=3)) == 180


def test_business_hours_skip_the_weekend():
    clock = Clock(office_calendar())

    # One hour left on Friday, the second hour on Monday morning.
    assert clock.add(FRIDAY_4PM, 120) == paris(2026, 11, 23, 10, 0)
    assert clock.minutes_between(FRIDAY_4PM, paris(2026, 11, 23, 10, 0)) == 120


def test_business_hours_skip_a_holiday():
    clock = Clock(office_calendar(holidays=[date(2026, 11, 23)]))

    assert clock.add(FRIDAY_4PM, 120) == paris(2026, 11, 24, 10, 0)


def test_a_case_created_outside_hours_starts_counting_at_opening():
    clock = Clock(office_calendar())
    saturday_night = paris(2026, 11, 21, 22, 30)

    assert clock.add(saturday_night, 30) == paris(2026, 11, 23, 9, 30)
    assert clock.minutes_between(saturday_night, paris(2026, 11, 23, 8, 0)) == 0


def test_a_calendar_west_of_utc_counts_the_hour_left_on_its_own_date():
    clock = Clock(office_calendar(time_zone="America/Los_Angeles"))
    # Monday 16:00 in Los Angeles is already Tuesday 00:00 in UTC.
    monday_4pm = datetime(2026, 11, 23, 16, 0, tzinfo=ZoneInfo("America/Los_Angeles"))

    assert clock.add(monday_4pm, 60) == monday_4pm + timedelta(hours=1)
    assert clock.minutes_between(monday_4pm, monday_4pm + timedelta(hours=1)) == 60


def test_a_calendar_without_hours_counts_wall_clock_time():
    calendar = BusinessCalendar.objects.create(name="Empty")

    assert Clock(calendar).add(FRIDAY_4PM, 60) == FRIDAY_4PM + timedelta(hours=1)


@time_machine.travel(FRIDAY_4PM, tick=False)
def test_new_case_gets_due_times_from_the_policy_and_calendar(agent):
    policy(calendar=office_calendar(), targets={Priority.NORMAL: (120, 60, 480)})

    case = intake.case_open_from_web(
        name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
    )

    assert case.first_response_due == paris(2026, 11, 23, 10, 0)
    assert case.resolution_due == paris(2026, 11, 23, 16, 0)
    assert case.next_reply_due is None
    assert case.due_at == case.first_response_due
    assert case.remind_at == case.first_response_due - timedelta(minutes=30)


def test_no_policy_means_no_due_times(agent):
    case = intake.case_open_from_web(
        name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
    )

    assert (case.sla_policy, case.due_at, case.remind_at) == (None, None, None)


def test_most_specific_policy_wins():
    default = policy("Default")
    category = CategoryFactory()
    by_category = policy("Category", is_default=False, category=category)
    organization = OrganizationFactory()
    by_organization = policy("Organization", is_default=False, organization=organization)

    plain = CaseFactory()
    categorised = CaseFactory(category=category)
    both = CaseFactory(category=category, contact=ContactFactory(organization=organization))

    assert due.policy_for(plain) == default
    assert due.policy_for(categorised) == by_category
    assert due.policy_for(both) == by_organization


def update(case, agent, **changes):
    case.refresh_from_db()
    fields = {
        "status": case.status,
        "priority": case.priority,
        "category": case.category,
        "assignee": case.assignee,
    }
    fields.update(changes)
    return desk.case_update(case=case, actor=agent.user, seen_version=case.version, **fields)


def test_priority_change_moves_the_due_time(agent):
    policy(targets={Priority.NORMAL: (240, 60, 480), Priority.URGENT: (30, 30, 120)})
    with time_machine.travel(FRIDAY_4PM, tick=False):
        case = intake.case_open_from_web(
            name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
        )
        assert case.first_response_due == FRIDAY_4PM + timedelta(hours=4)

        case = update(case, agent, priority=Priority.URGENT)

    assert case.first_response_due == FRIDAY_4PM + timedelta(minutes=30)
    assert Case.objects.get(pk=case.pk).due_at == FRIDAY_4PM + timedelta(minutes=30)


def test_waiting_on_the_customer_stops_the_resolution_clock(agent):
    policy(targets={Priority.NORMAL: (60, 60, 480)})
    with time_machine.travel(FRIDAY_4PM, tick=False) as clock:
        case = intake.case_open_from_web(
            name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
        )
        case.refresh_from_db()
        desk.case_reply(case=case, agent=agent, body="Which model?", seen_version=case.version)
        case.refresh_from_db()
        assert case.status == Status.WAITING
        assert case.resolution_due is None

        clock.shift(timedelta(hours=3))
        case = update(case, agent, status=Status.OPEN)

    # Eight hours from creation, plus the three hours spent waiting.
    assert case.paused_minutes == 180
    assert case.resolution_due == FRIDAY_4PM + timedelta(hours=11)


def test_first_reply_records_the_target_as_met_with_the_margin(agent):
    policy(targets={Priority.NORMAL: (60, 60, 480)})
    with time_machine.travel(FRIDAY_4PM, tick=False) as clock:
        case = intake.case_open_from_web(
            name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
        )
        clock.shift(timedelta(minutes=45))
        case.refresh_from_db()
        desk.case_reply(case=case, agent=agent, body="On it.", seen_version=case.version)

    outcome = SlaOutcome.objects.get(target="first_response")
    assert outcome.met is True
    assert outcome.margin_seconds == 15 * 60


def test_late_resolution_is_recorded_as_missed(agent):
    policy(targets={Priority.NORMAL: (60, 60, 60)})
    with time_machine.travel(FRIDAY_4PM, tick=False) as clock:
        case = intake.case_open_from_web(
            name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
        )
        clock.shift(timedelta(minutes=90))
        update(case, agent, status=Status.RESOLVED)

    outcome = SlaOutcome.objects.get(target="resolution")
    assert (outcome.met, outcome.margin_seconds) == (False, -30 * 60)
    assert Case.objects.get(pk=case.pk).due_at is None


def test_customer_message_after_the_first_response_starts_the_next_reply_clock(agent):
    policy(targets={Priority.NORMAL: (60, 30, 480)})
    with time_machine.travel(FRIDAY_4PM, tick=False) as clock:
        case = intake.case_open_from_web(
            name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
        )
        case.refresh_from_db()
        desk.case_reply(
            case=case, agent=agent, body="Hi", seen_version=case.version, status_after="open"
        )
        clock.shift(timedelta(minutes=10))
        case.refresh_from_db()
        due.customer_wrote(case, now=FRIDAY_4PM + timedelta(minutes=10))
        due.case_refresh(case)

    assert case.next_reply_due == FRIDAY_4PM + timedelta(minutes=40)


def test_manager_edits_a_policy_in_admin_and_open_due_times_follow(
    client, manager, agent, django_capture_on_commit_callbacks
):
    standard = policy(targets={Priority.NORMAL: (60, 60, 480)})
    with time_machine.travel(FRIDAY_4PM, tick=False):
        case = intake.case_open_from_web(
            name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
        )
        closed = CaseFactory(status=Status.CLOSED)
        target = standard.targets.get()
        client.force_login(manager.user)
        form = {
            "name": "Standard",
            "is_default": "on",
            "warning_minutes": "30",
            "escalation": "raise_priority",
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "1",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
            "targets-0-id": str(target.pk),
            "targets-0-policy": str(standard.pk),
            "targets-0-priority": "2",
            "targets-0-first_response_minutes": "15",
            "targets-0-next_reply_minutes": "60",
            "targets-0-resolution_minutes": "480",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:cases_slapolicy_change", args=[standard.pk]), form
            )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.first_response_due == FRIDAY_4PM + timedelta(minutes=15)
    closed.refresh_from_db()
    assert closed.due_at is None


def test_time_spent_resolved_does_not_count_when_the_case_reopens(agent):
    policy(targets={Priority.NORMAL: (60, 60, 480)})
    with time_machine.travel(FRIDAY_4PM, tick=False) as clock:
        case = intake.case_open_from_web(
            name="Maria", email="maria@example.com", subject="Help", body="Please", category=None
        )
        clock.shift(timedelta(hours=1))
        case = update(case, agent, status=Status.RESOLVED)
        clock.shift(timedelta(days=3))
        case = update(case, agent, status=Status.OPEN)

    # Eight hours from creation plus the three days it sat resolved.
    assert case.resolution_due == FRIDAY_4PM + timedelta(hours=8, days=3)


def test_a_calendar_needs_a_real_time_zone():
    from django.core.exceptions import ValidationError

    calendar = BusinessCalendar(name="Typo", time_zone="Europe/Pari")

    with pytest.raises(ValidationError, match="is not a time zone"):
        calendar.full_clean()
