"""Contacts kept past RETENTION_MONTHS with no open case and nothing new are erased by a
daily task; a dry run lists them first."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from audit.log import Action
from audit.models import AuditEntry
from cases.models import Status
from cases.personal_data import months_before, retention_due, retention_erase
from contacts.models import Contact
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
CUTOFF = datetime(2023, 11, 29, 12, 0, tzinfo=UTC)  # 36 months before NOW


@pytest.fixture(autouse=True)
def thirty_six_months(settings):
    settings.RETENTION_MONTHS = 36


def contact_since(when, *, last_activity=None, status=Status.CLOSED, name="Old Customer"):
    with time_machine.travel(when, tick=False):
        contact = ContactFactory(name=name)
    if last_activity is not None:
        CaseFactory(contact=contact, status=status, last_activity_at=last_activity)
    return contact


def due_names():
    return [contact.name for contact in retention_due(NOW)]


def test_a_contact_quiet_past_the_cutoff_is_due_and_one_at_it_is_not():
    contact_since(
        CUTOFF - timedelta(days=400), last_activity=CUTOFF - timedelta(seconds=1), name="A"
    )
    contact_since(CUTOFF - timedelta(days=400), last_activity=CUTOFF, name="B")
    contact_since(CUTOFF - timedelta(seconds=1), name="C (no case at all)")
    contact_since(CUTOFF, name="D (came at the cutoff)")

    assert due_names() == ["A", "C (no case at all)"]


def test_the_latest_of_several_cases_counts():
    contact = contact_since(
        CUTOFF - timedelta(days=900), last_activity=CUTOFF - timedelta(days=800)
    )
    CaseFactory(contact=contact, status=Status.CLOSED, last_activity_at=CUTOFF + timedelta(days=1))

    assert due_names() == []


def test_an_open_case_keeps_a_contact_however_old(settings):
    contact_since(
        CUTOFF - timedelta(days=900),
        last_activity=CUTOFF - timedelta(days=800),
        status=Status.WAITING,
    )

    assert due_names() == []


def test_nothing_is_due_when_retention_is_off(settings):
    settings.RETENTION_MONTHS = 0
    contact_since(CUTOFF - timedelta(days=900))

    assert due_names() == []
    assert retention_erase(NOW) == []


def test_the_run_erases_each_due_contact_once_and_audits_it():
    old = contact_since(CUTOFF - timedelta(days=10), last_activity=CUTOFF - timedelta(days=5))
    kept = contact_since(
        CUTOFF - timedelta(days=10), last_activity=NOW - timedelta(days=5), name="Kept"
    )

    erased = retention_erase(NOW)

    assert [contact.pk for contact in erased] == [old.pk]
    assert Contact.objects.get(pk=old.pk).name == f"Erased contact {old.pk}"
    assert Contact.objects.get(pk=kept.pk).name == "Kept"
    (entry,) = AuditEntry.objects.filter(action=Action.CONTACT_ERASED)
    assert entry.actor is None and entry.detail.startswith("retention (36 months)")
    assert retention_erase(NOW) == []  # erased contacts are not due again


def test_the_dry_run_lists_who_would_go_and_changes_nothing(capsys):
    old = contact_since(CUTOFF - timedelta(days=10), name="Old Customer")

    with time_machine.travel(NOW, tick=False):
        call_command("retention", "--dry-run")
    listed = capsys.readouterr().out

    assert f"contact #{old.pk}  Old Customer" in listed
    assert "1 contacts would be erased (kept 36 months)." in listed
    assert Contact.objects.get(pk=old.pk).name == "Old Customer"
    assert not AuditEntry.objects.exists()

    with time_machine.travel(NOW, tick=False):
        call_command("retention")
    assert "1 contacts erased" in capsys.readouterr().out
    assert Contact.objects.get(pk=old.pk).erased_at is not None


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 11, 29), 36, datetime(2023, 11, 29)),
        (datetime(2026, 5, 31), 3, datetime(2026, 2, 28)),
        (datetime(2024, 5, 31), 3, datetime(2024, 2, 29)),
        (datetime(2026, 1, 15), 1, datetime(2025, 12, 15)),
        (datetime(2026, 1, 15), 12, datetime(2025, 1, 15)),
    ],
)
def test_months_are_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_the_daily_task_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["retention"]

    assert entry["task"] == "cases.tasks.retention_erase"
    assert entry["schedule"] == timedelta(days=1)


def test_the_task_erases_what_is_due():
    from cases.tasks import retention_erase as task

    contact_since(datetime(2001, 1, 1, tzinfo=UTC))

    assert task.delay().get() == 1
