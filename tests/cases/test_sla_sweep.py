import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connections
from django.urls import reverse

from cases import desk, intake
from cases.models import Case, CaseEvent, Notification, Priority, Reminder, Status
from cases.sla import due, reminders
from helpdesk.celery import app as celery_app
from outbox import delivery
from outbox.models import OutboundEmail
from tests.factories import AgentFactory, ContactFactory, UserFactory
from tests.sla_helpers import policy

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def open_case(agent, *, priority=Priority.NORMAL):
    """A case owned by `agent`, opened at START, first response due an hour later."""
    contact = ContactFactory(owner=agent, name="Maria Garcia")
    with time_machine.travel(START, tick=False):
        case = intake.case_open_from_web(
            name="Maria Garcia",
            email=contact.email,
            subject="Printer on fire",
            body="Help",
            category=None,
        )
    if priority != case.priority:
        Case.objects.filter(pk=case.pk).update(priority=priority)
    OutboundEmail.objects.all().delete()
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def standard(db):
    return policy(
        warning=15, targets={Priority.NORMAL: (60, 60, 600), Priority.HIGH: (30, 30, 300)}
    )


def sweep_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return reminders.sweep(**kwargs)


def test_nothing_is_sent_before_the_warning_window(standard, agent):
    open_case(agent)

    assert sweep_at(START + timedelta(minutes=44)) == 0
    assert not Reminder.objects.exists()


def test_warning_goes_to_the_assignee_by_mail_and_on_the_desk(
    standard, agent, mailoutbox, django_capture_on_commit_callbacks
):
    case = open_case(agent)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_at(START + timedelta(minutes=46)) == 1

    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.target) == ("warning", "first_response")
    assert reminder.due_at == START + timedelta(hours=1)
    assert Notification.objects.get().agent == agent
    [message] = mailoutbox
    assert message.to == [agent.user.email]
    assert message.subject.startswith(f"[{case.reference}] Due soon: First response by")
    assert f"https://help.example.com/desk/cases/{case.reference}/" in message.body
    case.refresh_from_db()
    assert case.remind_at == START + timedelta(hours=1)


def test_breach_notifies_assignee_and_team_lead_and_raises_the_priority(
    standard, agent, other_agent, team
):
    team.lead = other_agent
    team.save()
    case = open_case(agent)

    sweep_at(START + timedelta(minutes=61))

    breach = Reminder.objects.get(kind="breach")
    assert {n.agent for n in breach.notifications.all()} == {agent, other_agent}
    case.refresh_from_db()
    assert case.priority == Priority.HIGH
    assert case.events.filter(kind=CaseEvent.Kind.PRIORITY, detail__contains="missed").exists()
    assert case.events.filter(kind=CaseEvent.Kind.SLA, detail__contains="overdue").exists()


def test_breach_can_move_the_case_to_an_escalation_team(agent):
    from tests.factories import TeamFactory

    escalation = TeamFactory(name="Escalations")
    policy(escalation="move_team", escalation_team=escalation, targets={2: (60, 60, 600)})
    case = open_case(agent)

    sweep_at(START + timedelta(hours=2))

    case.refresh_from_db()
    assert case.team == escalation


def test_away_assignee_reminder_goes_to_the_backup(standard, agent, other_agent):
    case = open_case(agent)
    agent.backup = other_agent
    agent.away_until = START + timedelta(days=3)
    agent.save()

    sweep_at(START + timedelta(minutes=50))

    assert Notification.objects.get().agent == other_agent
    assert case.reminders.count() == 1


def test_missing_assignee_reminder_goes_to_the_team_lead(standard, agent, team):
    lead = AgentFactory(team=team, user=UserFactory(username="lead"))
    team.lead = lead
    team.save()
    case = open_case(agent)
    Case.objects.filter(pk=case.pk).update(assignee=None)

    sweep_at(START + timedelta(minutes=50))

    assert Notification.objects.get().agent == lead


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_resolved_and_closed_cases_get_nothing(standard, agent, status):
    case = open_case(agent)
    Case.objects.filter(pk=case.pk).update(status=status)

    assert sweep_at(START + timedelta(hours=3)) == 0
    assert Case.objects.get(pk=case.pk).remind_at is None


def test_met_target_gets_no_reminder(standard, agent):
    case = open_case(agent)
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        desk.case_reply(
            case=case, agent=agent, body="On it", seen_version=case.version, status_after="open"
        )

    sweep_at(START + timedelta(minutes=70))

    assert not Reminder.objects.filter(target="first_response").exists()


def test_sweep_run_twice_sends_each_reminder_once(standard, agent, mailoutbox):
    open_case(agent)

    first = sweep_at(START + timedelta(minutes=50))
    Case.objects.update(remind_at=START)  # as if the first run crashed before saving
    second = sweep_at(START + timedelta(minutes=50))

    assert (first, second) == (1, 0)
    assert Reminder.objects.count() == 1
    assert OutboundEmail.objects.filter(kind="reminder").count() == 1


def test_sweep_only_reads_cases_whose_reminder_moment_came(standard, agent, assert_queries):
    for _ in range(20):
        open_case(agent)
    Case.objects.update(remind_at=START + timedelta(days=1))
    # savepoint, select the due cases (none), release
    with assert_queries(3):
        assert sweep_at(START + timedelta(hours=2)) == 0


def test_failed_reminder_mail_is_kept_and_retried(
    standard, agent, settings, django_capture_on_commit_callbacks
):
    open_case(agent)
    settings.EMAIL_BACKEND = "tests.cases.test_acknowledgement.BrokenBackend"

    with time_machine.travel(START + timedelta(minutes=50), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.sweep()

    email = OutboundEmail.objects.get(kind="reminder")
    assert email.sent_at is None and email.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(START + timedelta(minutes=60), tick=False):
        assert delivery.outbox_sweep() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(standard, agent):
    for _ in range(6):
        open_case(agent)
    barrier, errors, counts = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait(timeout=10)
            counts.append(reminders.sweep(now=START + timedelta(minutes=50), batch=2))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(counts) == 6
    assert Reminder.objects.count() == 6
    assert OutboundEmail.objects.filter(kind="reminder").count() == 6


def test_viewing_the_reminders_clears_the_badge_and_still_shows_which_were_new(
    client, standard, agent, assert_queries
):
    case = open_case(agent)
    sweep_at(START + timedelta(minutes=50))
    client.force_login(agent.user)

    queue = client.get(reverse("cases:queue")).content.decode()
    assert 'id="notification-count">1<' in queue
    # session with user, agent, team and unread count, notifications with reminder, case and
    # contact, mark them read
    with assert_queries(3):
        page = client.get(reverse("cases:notifications")).content.decode()
    assert case.reference in page and "Due soon" in page
    assert "fw-semibold" in page  # shown as new this once
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'id="notification-count"' not in client.get(reverse("cases:queue")).content.decode()


def test_a_reminder_whose_promise_was_kept_shows_as_done(client, standard, agent):
    case = open_case(agent)
    sweep_at(START + timedelta(minutes=50))
    with time_machine.travel(START + timedelta(minutes=55), tick=False):
        case.refresh_from_db()
        desk.case_reply(case=case, agent=agent, body="On it.", seen_version=case.version)
    client.force_login(agent.user)

    page = client.get(reverse("cases:notifications")).content.decode()

    assert "Done" in page
    assert "Due soon" not in page


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep_and_the_mail_lands(standard, agent):
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from cases.tasks import sla_sweep

    case = open_case(agent)
    Case.objects.filter(pk=case.pk).update(remind_at=START)
    mail.outbox = []
    celery_app.conf.task_always_eager = False

    def close_worker_connections(**kwargs):
        # The worker thread's database connection would outlive the test otherwise.
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    # No remote control: with the file broker of a run without Redis, kombu's pidbox
    # exchange file can be read while another thread truncates it to write it, and the
    # worker then stops on a JSONDecodeError before it runs the sweep.
    remote_control = celery_app.conf.worker_enable_remote_control
    celery_app.conf.worker_enable_remote_control = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            sla_sweep.delay()
            deadline = time.monotonic() + 30
            while len(mail.outbox) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(close_worker_connections)
        celery_app.conf.worker_enable_remote_control = remote_control

    # Both the first response and the resolution are overdue by now.
    breaches = Reminder.objects.filter(case=case, kind="breach").count()
    assert breaches == 2
    assert {tuple(message.to) for message in mail.outbox} == {(agent.user.email,)}
    assert all("Overdue" in message.subject for message in mail.outbox)


def test_reminder_mail_is_in_the_recipients_language(standard, agent, mailoutbox):
    agent.languages = "fr,en"
    agent.save()
    open_case(agent)

    with time_machine.travel(START + timedelta(minutes=50), tick=False):
        reminders.sweep()

        delivery.email_deliver(OutboundEmail.objects.get(kind="reminder").pk)

    assert "Bientôt dû : première réponse avant le" in mailoutbox[0].subject
    assert mailoutbox[0].body.startswith("Bonjour Ana,")


def test_a_missed_target_escalates_once_even_when_its_due_time_moves(standard, agent):
    case = open_case(agent)
    sweep_at(START + timedelta(minutes=61))
    case.refresh_from_db()
    assert case.priority == Priority.HIGH
    # Any later change recomputes due times for the higher priority: already past.
    due.case_refresh(case)
    case.save()

    sweep_at(START + timedelta(minutes=62))

    case.refresh_from_db()
    assert case.priority == Priority.HIGH
    assert Reminder.objects.filter(kind="breach", target="first_response").count() == 1


def test_an_escalated_priority_brings_its_own_due_times_as_an_agents_change_would(agent):
    # Normal: resolution in 8 hours; high: in 2 hours.
    policy(targets={2: (60, 120, 480), 3: (30, 60, 120)})
    case = open_case(agent)
    assert case.resolution_due == START + timedelta(hours=8)

    sweep_at(START + timedelta(minutes=61))

    case.refresh_from_db()
    assert case.priority == Priority.HIGH
    assert case.resolution_due == START + timedelta(hours=2)
    assert case.due_at == case.first_response_due == START + timedelta(minutes=30)
    event = case.events.get(kind=CaseEvent.Kind.PRIORITY)
    assert event.detail == (
        "Priority: Normal → High, because the first response target was missed."
    )


def test_a_warning_and_a_breach_become_webhook_events(standard, agent):
    from api.models import WebhookDelivery, WebhookEndpoint
    from api.webhooks import secret_new

    WebhookEndpoint.objects.create(
        name="Pager",
        url="https://hooks.example.com/sla",
        events=["sla.warning", "sla.breached"],
        secret=secret_new(),
    )
    case = open_case(agent)

    sweep_at(START + timedelta(minutes=46))
    sweep_at(START + timedelta(minutes=61))

    sent = WebhookDelivery.objects.order_by("pk")
    assert [(d.event, d.payload["data"]["reference"]) for d in sent] == [
        ("sla.warning", case.reference),
        ("sla.breached", case.reference),
    ]
