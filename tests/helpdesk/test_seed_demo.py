from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agents.models import Agent
from cases.models import Case, Channel, Reminder, Status
from cases.sla import reminders
from contacts.models import Contact
from outbox.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_every_status_and_channel_once(settings):
    call_command("seed_demo")
    call_command("seed_demo")

    assert get_user_model().objects.filter(username__startswith="agent").count() == 5
    assert Agent.objects.filter(away_until__isnull=False, backup__isnull=False).count() == 1
    assert Contact.objects.filter(owner__isnull=False).count() == 20
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert get_user_model().objects.get(username="manager").check_password("demo")


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="refuses to run"):
        call_command("seed_demo")
    assert not Agent.objects.exists()


def test_the_demo_starts_calm_and_reminders_come_one_by_one(settings, mailoutbox):
    # A Wednesday morning, inside the demo desk's office hours.
    started = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    with time_machine.travel(started, tick=False):
        call_command("seed_demo")

    # What fell due before the demo existed is on the desk, not in anyone's mail.
    assert Reminder.objects.exists()
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.REMINDER).exists()
    assert reminders.sweep(now=started + timedelta(minutes=1)) == 0

    warned = []
    for minute in (4, 6, 14, 16, 24, 26):
        reminders.sweep(now=started + timedelta(minutes=minute))
        warnings = Reminder.objects.filter(
            case__subject="Checkout page shows an error", kind=Reminder.Kind.WARNING
        )
        warned.append(warnings.count())

    # The three cases about to break their promise warn 5, 15 and 25 minutes in.
    assert warned == [0, 1, 1, 2, 2, 3]
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.REMINDER).count() >= 3


def test_the_demo_speaks_three_languages(settings):
    from agents.models import Agent
    from contacts.models import Contact

    call_command("seed_demo")

    assert Agent.objects.get(user__username="agent3").desk_language == "fr"
    contacts = Contact.objects.select_related("owner")
    assert {contact.language for contact in contacts} == {"en", "fr", "es"}
    assert all(c.language in c.owner.languages.split(",") for c in contacts)
