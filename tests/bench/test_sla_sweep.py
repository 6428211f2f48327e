"""The reminder sweep over 100,000 open cases of which 200 are due (PostgreSQL).

Run with `make bench`. Prints the time, the number of queries and the plan of the
query that finds the due cases.
"""

import os
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Priority, Reminder, Status
from cases.sla import reminders
from contacts.models import Contact
from tests.bench.conftest import record
from tests.factories import AgentFactory, TeamFactory
from tests.sla_helpers import policy

OPEN_CASES = int(os.environ.get("BENCH_OPEN_CASES", "100000"))
DUE_CASES = 200


@pytest.mark.django_db(transaction=True)
def test_sweep_over_open_cases_with_few_due(settings):
    now = timezone.now()
    team = TeamFactory(name="Bench team")
    agents = AgentFactory.create_batch(10, team=team)
    standard = policy(warning=30, targets={Priority.NORMAL: (60, 120, 480)})
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Contact {n}", email=f"bench{n}@example.com", owner=agents[n % 10])
        for n in range(2000)
    )
    statuses = [Status.NEW, Status.OPEN, Status.WAITING]
    later = now + timedelta(days=3)
    soon_due = now - timedelta(minutes=5)
    for start in range(0, OPEN_CASES, 10_000):
        Case.objects.bulk_create(
            Case(
                subject=f"Case {n}",
                contact=contacts[n % len(contacts)],
                status=statuses[n % 3],
                assignee=agents[n % 10],
                team=team,
                sla_policy=standard,
                first_response_due=soon_due if n < DUE_CASES else later,
                due_at=soon_due if n < DUE_CASES else later,
                remind_at=soon_due if n < DUE_CASES else later - timedelta(minutes=30),
            )
            for n in range(start, min(start + 10_000, OPEN_CASES))
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute(
            "EXPLAIN SELECT id FROM cases_case WHERE remind_at <= %s ORDER BY remind_at LIMIT 500",
            [now],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # As in production: the sweep stores the reminder mail, the outbox relay sends it.
    settings.OUTBOX_SEND_ON_COMMIT = False
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        reminded = reminders.sweep(now=now)
        elapsed = time.perf_counter() - started

    print(f"\nSLA sweep: {OPEN_CASES:,} open cases, {DUE_CASES} due")
    print(f"  time {elapsed * 1000:.0f} ms, {len(queries)} queries, {reminded} reminders")
    print("  plan of the due-case query:\n    " + plan.replace("\n", "\n    "))
    record(
        f"SLA sweep ({OPEN_CASES:,} open, {DUE_CASES} due)",
        seconds=round(elapsed, 3),
        queries=len(queries),
        reminders=reminded,
        plan="index scan on case_remind_idx" if "case_remind_idx" in plan else plan,
    )
    assert reminded == DUE_CASES
    assert Reminder.objects.count() == DUE_CASES
    assert "case_remind_idx" in plan
