"""Edges of the response-time rules that test_sla.py and test_sla_sweep.py leave open:
closing time, the case's own policy, repeated waits, next replies, and the sweep's
notifications, escalation and recipients."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import customer, desk, intake
from cases.models import (
    Case,
    CaseEvent,
    Channel,
    Notification,
    Priority,
    Reminder,
    SlaOutcome,
    Status,
    Target,
)
from cases.sla import due, reminders
from outbox.models import OutboundEmail
from tests.factories import AgentFactory, CategoryFactory, ContactFactory
from tests.sla_helpers import office_calendar, policy

pytestmark = pytest.mark.django_db

# Friday 20 November 2026, 9:00 UTC (10:00 in Paris).
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def paris(*args):
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris"))


def open_case(owner=None, *, at=START, category=None) -> Case:
    """A case opened at `at` by a new contact whose owner is `owner` (if one is given)."""
    contact = ContactFactory(owner=owner)
    with time_machine.travel(at, tick=False):
        intake.case_open(
            contact=contact,
            subject="Printer on fire",
            body="Help",
            channel=Channel.WEB,
            category=category,
        )
    return Case.objects.get(contact=contact)


def set_status(case, agent, status, *, at) -> Case:
    case.refresh_from_db()
    with time_machine.travel(at, tick=False):
        return desk.case_update(
            case=case,
            actor=agent.user,
            seen_version=case.version,
            status=status,
            priority=case.priority,
            category=case.category,
            assignee=case.assignee,
        )


def reply(case, agent, *, at) -> None:
    case.refresh_from_db()
    with time_machine.travel(at, tick=False):
        desk.case_reply(
            case=case,
            agent=agent,
            body="On it.",
            seen_version=case.version,
            status_after=Status.OPEN,
        )


def customer_writes(case, *, at) -> None:
    with time_machine.travel(at, tick=False):
        customer.case_customer_reply(
            case=case, contact=case.contact, body="Still broken.", channel=Channel.EMAIL
        )


def sweep_at(moment, **kwargs) -> int:
    with time_machine.travel(moment, tick=False):
        return reminders.sweep(**kwargs)


def notified(reminder) -> list:
    return [notification.agent for notification in reminder.notifications.all()]


def reminder_mail_to() -> list[str]:
    return sorted(OutboundEmail.objects.filter(kind="reminder").values_list("to", flat=True))


# Closing time on a business calendar (Monday to Friday, 9:00 to 17:00 in Paris).


@pytest.fixture
def office_hours(db):
    return policy(calendar=office_calendar(), targets={Priority.NORMAL: (60, 120, 480)})


def test_case_opened_after_closing_time_is_due_from_the_next_working_morning(office_hours, agent):
    case = open_case(at=paris(2026, 11, 19, 18, 30))  # a Thursday evening

    assert case.first_response_due == paris(2026, 11, 20, 10, 0)
    # A whole working day: due at Friday's closing time, not on Monday morning.
    assert case.resolution_due == paris(2026, 11, 20, 17, 0)


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        pytest.param(paris(2026, 11, 19, 15, 59), paris(2026, 11, 19, 16, 59), id="minute-before"),
        pytest.param(paris(2026, 11, 19, 16, 0), paris(2026, 11, 19, 17, 0), id="at-closing"),
        pytest.param(paris(2026, 11, 19, 16, 1), paris(2026, 11, 20, 9, 1), id="minute-after"),
    ],
)
def test_due_time_falling_exactly_at_closing_time_stays_on_that_day(
    office_hours, agent, opened, due
):
    assert open_case(at=opened).first_response_due == due


def test_case_opened_at_closing_time_counts_from_the_next_morning(office_hours, agent):
    case = open_case(at=paris(2026, 11, 19, 17, 0))

    assert case.first_response_due == paris(2026, 11, 20, 10, 0)


# Several policies: each case gets its own policy's targets (and calendar).


def test_each_case_gets_its_due_times_from_its_own_policy_targets(agent):
    # The default policy comes first by name and by pk: a lookup of targets that ignored
    # the case's policy would hand the categorised case the default's targets.
    default = policy(
        "Default", calendar=office_calendar(), targets={Priority.NORMAL: (120, 240, 480)}
    )
    hardware = CategoryFactory(default_team=agent.team)
    by_category = policy(
        "Hardware", is_default=False, category=hardware, targets={Priority.NORMAL: (30, 60, 90)}
    )

    plain = open_case(at=START)
    categorised = open_case(at=START, category=hardware)

    assert (plain.sla_policy, categorised.sla_policy) == (default, by_category)
    assert plain.first_response_due == paris(2026, 11, 20, 12, 0)
    assert plain.resolution_due == paris(2026, 11, 23, 10, 0)
    # The category's policy has no calendar: wall-clock minutes.
    assert categorised.first_response_due == START + timedelta(minutes=30)
    assert categorised.resolution_due == START + timedelta(minutes=90)
    assert categorised.remind_at == START  # 30 minutes' warning before the first response


# Waiting on the customer twice, on a business calendar; reopening.


def test_two_waits_on_the_customer_both_stop_the_resolution_clock_in_business_time(
    office_hours, agent
):
    case = open_case(agent, at=paris(2026, 11, 23, 10, 0))  # Monday
    assert case.resolution_due == paris(2026, 11, 24, 10, 0)

    case = set_status(case, agent, Status.WAITING, at=paris(2026, 11, 23, 11, 0))
    assert case.resolution_due is None
    case = set_status(case, agent, Status.OPEN, at=paris(2026, 11, 23, 12, 0))
    assert case.paused_minutes == 60
    assert case.resolution_due == paris(2026, 11, 24, 11, 0)

    # Overnight: 16:00 to 17:00, then 9:00 to 10:00 the next day; the night is not counted.
    case = set_status(case, agent, Status.WAITING, at=paris(2026, 11, 23, 16, 0))
    assert case.resolution_due is None
    case = set_status(case, agent, Status.OPEN, at=paris(2026, 11, 24, 10, 0))

    assert case.paused_minutes == 60 + 120
    assert case.resolution_due == paris(2026, 11, 24, 13, 0)
    assert Case.objects.get(pk=case.pk).resolution_due == paris(2026, 11, 24, 13, 0)


def test_time_spent_closed_does_not_count_when_an_agent_reopens_the_case(agent):
    policy(targets={Priority.NORMAL: (60, 60, 480)})
    case = open_case(agent)
    case = set_status(case, agent, Status.CLOSED, at=START + timedelta(hours=1))

    case = set_status(case, agent, Status.OPEN, at=START + timedelta(days=3, hours=1))

    # As for a resolved case: eight hours from creation plus the three days it sat closed.
    assert case.resolution_due == START + timedelta(days=3, hours=8)


# The next reply's outcome, a minute either side of its due time.


@pytest.fixture
def waiting_for_next_reply(agent):
    """A case answered at START + 5 whose customer wrote again at START + 10: the next
    reply is due at START + 40."""
    policy(targets={Priority.NORMAL: (60, 30, 600)})
    case = open_case(agent)
    reply(case, agent, at=START + 5 * MINUTE)
    customer_writes(case, at=START + 10 * MINUTE)
    case.refresh_from_db()
    assert case.next_reply_due == START + 40 * MINUTE
    return case


def next_reply_outcome(case):
    outcome = SlaOutcome.objects.get(case=case, target=Target.NEXT_REPLY)
    return outcome.due_at, outcome.met, outcome.margin_seconds


def test_next_reply_a_minute_before_its_due_time_is_met(waiting_for_next_reply, agent):
    reply(waiting_for_next_reply, agent, at=START + 39 * MINUTE)

    assert next_reply_outcome(waiting_for_next_reply) == (START + 40 * MINUTE, True, 60)


def test_next_reply_at_its_due_time_is_met(waiting_for_next_reply, agent):
    reply(waiting_for_next_reply, agent, at=START + 40 * MINUTE)

    assert next_reply_outcome(waiting_for_next_reply) == (START + 40 * MINUTE, True, 0)


def test_next_reply_a_minute_after_its_due_time_is_missed(waiting_for_next_reply, agent):
    reply(waiting_for_next_reply, agent, at=START + 41 * MINUTE)

    assert next_reply_outcome(waiting_for_next_reply) == (START + 40 * MINUTE, False, -60)


def test_second_next_reply_records_its_own_outcome(waiting_for_next_reply, agent):
    case = waiting_for_next_reply
    reply(case, agent, at=START + 20 * MINUTE)
    customer_writes(case, at=START + 60 * MINUTE)
    reply(case, agent, at=START + 91 * MINUTE)

    outcomes = SlaOutcome.objects.filter(case=case, target=Target.NEXT_REPLY).order_by("due_at")
    assert [(o.due_at, o.met, o.margin_seconds) for o in outcomes] == [
        (START + 40 * MINUTE, True, 20 * 60),
        (START + 90 * MINUTE, False, -60),
    ]


def test_second_missed_next_reply_is_reported_overdue(agent):
    policy(warning=15, escalation="none", targets={Priority.NORMAL: (60, 30, 600)})
    case = open_case(agent)
    reply(case, agent, at=START + 5 * MINUTE)
    customer_writes(case, at=START + 10 * MINUTE)  # next reply due at 40
    sweep_at(START + 41 * MINUTE)
    reply(case, agent, at=START + 50 * MINUTE)
    customer_writes(case, at=START + 60 * MINUTE)  # next reply due at 90

    sweep_at(START + 76 * MINUTE)
    sweep_at(START + 91 * MINUTE)

    reminders = case.reminders.filter(target=Target.NEXT_REPLY).order_by("due_at", "kind")
    assert [(r.kind, r.due_at) for r in reminders] == [
        ("breach", START + 40 * MINUTE),
        ("breach", START + 90 * MINUTE),
        ("warning", START + 90 * MINUTE),
    ]


# The sweep: every reminder of a batch notifies its people.


@pytest.fixture
def standard(db):
    return policy(
        warning=15,
        targets={
            Priority.NORMAL: (60, 60, 600),
            Priority.HIGH: (30, 30, 300),
            Priority.URGENT: (15, 15, 120),
        },
    )


def test_every_case_of_a_sweep_batch_gets_its_own_notification_and_mail(
    standard, team, agent, other_agent
):
    third = AgentFactory(team=team, user__username="chloe")
    owners = [agent, other_agent, third]
    cases = [open_case(owner) for owner in owners]

    assert sweep_at(START + 50 * MINUTE) == 3

    for case, owner in zip(cases, owners, strict=True):
        assert notified(Reminder.objects.get(case=case)) == [owner]
    assert reminder_mail_to() == sorted(owner.user.email for owner in owners)


def test_every_reminder_of_one_case_in_a_sweep_gets_its_notification(agent):
    policy(warning=15, targets={Priority.NORMAL: (60, 60, 70)})
    case = open_case(agent)

    # Both the first response (due at 60) and the resolution (due at 70) are due soon.
    assert sweep_at(START + 56 * MINUTE) == 2

    reminders = Reminder.objects.filter(case=case).order_by("target")
    assert [(r.target, notified(r)) for r in reminders] == [
        (Target.FIRST_RESPONSE, [agent]),
        (Target.RESOLUTION, [agent]),
    ]
    assert reminder_mail_to() == [agent.user.email] * 2


# The sweep raises the priority one step at a breach, never past urgent.


def priority_changes(case) -> list[str]:
    return list(case.events.filter(kind=CaseEvent.Kind.PRIORITY).values_list("detail", flat=True))


def test_breach_does_not_raise_an_urgent_case_past_urgent(standard, team, agent):
    urgent = CategoryFactory(default_team=team, default_priority=Priority.URGENT)
    case = open_case(agent, category=urgent)

    sweep_at(START + 16 * MINUTE)  # first response missed
    sweep_at(START + 121 * MINUTE)  # resolution missed

    case.refresh_from_db()
    assert case.priority == Priority.URGENT
    assert case.reminders.filter(kind="breach").count() == 2
    assert priority_changes(case) == []


def test_breach_raises_a_high_case_to_urgent_exactly_once(standard, team, agent):
    high = CategoryFactory(default_team=team, default_priority=Priority.HIGH)
    case = open_case(agent, category=high)

    sweep_at(START + 31 * MINUTE)  # first response missed
    case.refresh_from_db()
    assert case.priority == Priority.URGENT
    sweep_at(START + 301 * MINUTE)  # resolution missed too

    case.refresh_from_db()
    assert case.priority == Priority.URGENT
    assert priority_changes(case) == [
        "Priority: High → Urgent, because the first response target was missed."
    ]


def test_two_breaches_in_one_sweep_raise_a_high_case_to_urgent_once(standard, team, agent):
    high = CategoryFactory(default_team=team, default_priority=Priority.HIGH)
    case = open_case(agent, category=high)

    sweep_at(START + 301 * MINUTE)  # first response and resolution missed at once

    case.refresh_from_db()
    assert case.priority == Priority.URGENT
    assert len(priority_changes(case)) == 1


# Who hears of a reminder: each person once, and nobody who has left.


def test_assignee_who_leads_the_team_gets_one_breach_reminder(
    standard, team, agent, mailoutbox, django_capture_on_commit_callbacks
):
    team.lead = agent
    team.save()
    case = open_case(agent)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_at(START + 61 * MINUTE)

    breach = case.reminders.get(kind="breach")
    assert notified(breach) == [agent]
    assert Notification.objects.count() == 1
    assert reminder_mail_to() == [agent.user.email]
    assert [message.to for message in mailoutbox] == [[agent.user.email]]


def test_team_lead_who_has_left_gets_no_breach_reminder(standard, team, agent, other_agent):
    team.lead = other_agent
    team.save()
    other_agent.user.is_active = False
    other_agent.user.save()
    case = open_case(agent)

    sweep_at(START + 61 * MINUTE)

    assert notified(case.reminders.get(kind="breach")) == [agent]
    assert reminder_mail_to() == [agent.user.email]


def test_reminders_of_an_assignee_who_has_left_go_to_the_team_lead_alone(
    standard, team, agent, other_agent
):
    team.lead = other_agent
    team.save()
    case = open_case(agent)
    agent.user.is_active = False
    agent.user.save()

    sweep_at(START + 50 * MINUTE)  # warning
    sweep_at(START + 61 * MINUTE)  # breach

    assert notified(case.reminders.get(kind="warning")) == [other_agent]
    assert notified(case.reminders.get(kind="breach")) == [other_agent]
    assert reminder_mail_to() == [other_agent.user.email] * 2


def test_a_second_reopen_adds_its_solved_time_to_the_first(agent):
    policy(targets={Priority.NORMAL: (60, 60, 480)})
    case = open_case(agent)
    case = set_status(case, agent, Status.CLOSED, at=START + timedelta(hours=1))
    case = set_status(case, agent, Status.OPEN, at=START + timedelta(days=1, hours=1))
    case = set_status(case, agent, Status.CLOSED, at=START + timedelta(days=1, hours=2))

    case = set_status(case, agent, Status.OPEN, at=START + timedelta(days=3, hours=2))

    # Eight hours from creation, plus one day and then two days spent solved.
    assert case.resolution_due == START + timedelta(days=3, hours=8)


def test_a_policy_change_recomputes_and_counts_every_open_case(agent):
    policy(targets={Priority.NORMAL: (60, 60, 480)})
    for _ in range(3):
        open_case(agent)

    assert due.policy_changed() == 3
