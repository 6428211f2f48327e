from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from cases.models import OPEN_STATUSES, Case, CaseEvent, CaseRating, SlaOutcome, Target
from reports.models import CaseFact, DailyRollup

pytestmark = pytest.mark.django_db

# A Wednesday morning: the history is the same on every run at the same moment.
SEEDED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def seed_demo():
    with time_machine.travel(SEEDED, tick=False):
        call_command("seed_demo")


def history():
    """The cases seeded after the live ones (the last of which are about to breach)."""
    last_live = Case.objects.filter(subject="Checkout page shows an error").order_by("-pk")[0]
    return Case.objects.filter(pk__gt=last_live.pk)


def test_seed_demo_adds_months_of_solved_cases_for_the_reports():
    seed_demo()

    cases = history()
    oldest = cases.order_by("created_at")[0].created_at
    assert SEEDED - oldest > timedelta(days=90)
    assert cases.count() > 300
    # Solved, every one: the queue shows only the live cases.
    assert not cases.filter(status__in=OPEN_STATUSES).exists()
    assert not cases.filter(resolved_at__isnull=True).exists()
    assert not cases.filter(sla_policy__isnull=True).exists()
    assert not cases.filter(resolved_at__gt=SEEDED).exists()
    assert not cases.filter(first_response_at__gt=SEEDED).exists()
    assert CaseRating.objects.filter(case__in=cases, recommend__isnull=False).exists()
    assert CaseRating.objects.filter(case__in=cases).exclude(comment="").exists()
    events = set(CaseEvent.objects.filter(case__in=cases).values_list("kind", flat=True))
    assert {CaseEvent.Kind.REOPENED, CaseEvent.Kind.REASSIGNED} <= events


def test_seed_demo_history_meets_and_misses_every_target():
    seed_demo()

    outcomes = SlaOutcome.objects.filter(case__in=history())
    assert set(outcomes.values_list("target", "met")) == {
        (target, met) for target in Target.values for met in (True, False)
    }
    for outcome in outcomes:
        assert outcome.met == (outcome.done_at <= outcome.due_at)
        assert outcome.margin_seconds == int((outcome.due_at - outcome.done_at).total_seconds())


def test_seed_demo_fills_the_rollup_of_the_last_90_days():
    seed_demo()

    recent = DailyRollup.objects.filter(day__gte=(SEEDED - timedelta(days=90)).date())
    sums = recent.aggregate(solved=Sum("solved"), rated=Sum("rated"), owner=Sum("owner_handled"))
    assert sums["solved"] > 200
    assert sums["rated"] > 100
    # Most cases are the owner's, not all: the single point of contact share is not 100%.
    assert sums["solved"] * 0.7 < sums["owner"] < sums["solved"]
    assert CaseFact.objects.filter(reopened=True).exists()
    assert CaseFact.objects.filter(handoffs__gt=0).exists()


def test_seed_demo_adds_the_history_once():
    seed_demo()
    seeded = history().count()

    seed_demo()

    assert history().count() == seeded


def test_an_older_demo_database_gets_the_history_on_the_next_run():
    seed_demo()
    seeded = history().count()
    history().delete()

    seed_demo()

    assert history().count() == seeded
