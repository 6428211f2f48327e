"""The response-time policies are kept in the cache: each change to a policy, a target,
a calendar, its hours or its holidays reaches the next case; a broken cache costs reads."""

from datetime import date, time, timedelta

import pytest
import time_machine

from agents.models import BusinessCalendar
from cases import intake
from cases.models import Priority, SlaTarget
from cases.sla import due
from tests.cases.test_sla import FRIDAY_4PM, paris
from tests.factories import OrganizationFactory
from tests.sla_helpers import office_calendar, policy

pytestmark = pytest.mark.django_db


def new_case(email="maria@example.com", **fields):
    return intake.case_open_from_web(
        name="Maria", email=email, subject="Help", body="Please", category=None, **fields
    )


@pytest.fixture
def standard(agent):
    return policy(targets={Priority.NORMAL: (60, 120, 480)})


def test_a_changed_target_reaches_the_next_case(standard):
    first = new_case()
    target = SlaTarget.objects.get(policy=standard, priority=Priority.NORMAL)
    target.first_response_minutes = 30
    target.save()

    second = new_case("olu@example.com")

    assert first.first_response_due == first.created_at + timedelta(minutes=60)
    assert second.first_response_due == second.created_at + timedelta(minutes=30)


def test_a_new_policy_and_a_deleted_one_reach_the_next_case(standard):
    new_case()
    organization = OrganizationFactory()
    special = policy("Key accounts", is_default=False, organization=organization)

    contact = new_case("olu@example.com").contact
    contact.organization = organization
    contact.save()
    assert new_case("olu@example.com").sla_policy == special

    special.delete()
    assert new_case("olu@example.com").sla_policy == standard


@time_machine.travel(FRIDAY_4PM, tick=False)
def test_changed_hours_and_holidays_reach_the_next_case(agent):
    calendar = office_calendar()
    policy(calendar=calendar, targets={Priority.NORMAL: (120, 60, 480)})
    assert new_case().first_response_due == paris(2026, 11, 23, 10, 0)  # Monday 10:00

    calendar.holidays.create(date=date(2026, 11, 23), name="Closed Monday")
    assert new_case("olu@example.com").first_response_due == paris(2026, 11, 24, 10, 0)

    calendar.hours.create(weekday=5, start=time(9), end=time(10))  # Saturday mornings too
    assert new_case("ines@example.com").first_response_due == paris(2026, 11, 21, 10, 0)


def test_a_renamed_calendar_zone_reaches_the_next_case(agent):
    calendar = BusinessCalendar.objects.create(name="Night", time_zone="Asia/Tokyo")
    calendar.hours.create(weekday=0, start=time(9), end=time(17))
    policy(calendar=calendar)
    new_case()

    calendar.time_zone = "America/New_York"
    calendar.save()

    assert new_case("olu@example.com").sla_policy.calendar.time_zone == "America/New_York"


def test_the_policies_are_read_once_and_then_kept(standard, django_assert_num_queries):
    with django_assert_num_queries(2):  # policies with calendars, targets (no calendars here)
        first = due.policies()
    with django_assert_num_queries(0):
        assert [p.pk for p in due.policies()] == [p.pk for p in first]


def test_without_a_cache_the_policies_are_read_every_time(standard, kept_cache_down):

    assert new_case().first_response_due is not None
    SlaTarget.objects.filter(policy=standard).update(first_response_minutes=5)
    case = new_case("olu@example.com")
    assert case.first_response_due == case.created_at + timedelta(minutes=5)
