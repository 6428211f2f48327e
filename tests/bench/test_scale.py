"""The desk at scale: page times against a floor measured in the same run, then a load run.

    BENCH_CASES=100000 make bench

Each scenario is timed server-side with Django's test client: warm-up, then at least
30 requests; the median, the 95th percentile and the SQL queries of a request are
recorded and printed as a table (tests/bench/conftest.py), with the ratio of each p95
to the floor's: a desk page that renders the layout after one indexed query.
"""

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from agents.models import Agent
from cases.models import OPEN_STATUSES, Case, CaseEvent, Message
from contacts.models import Contact
from helpdesk.lib.rows import statement_count
from knowledge.case_suggestions import version_raise
from outbox.models import OutboundEmail
from reports.models import RollupState
from reports.rollup import rollup_rebuild
from tests.bench.conftest import RESULTS, record

CASES = int(os.environ.get("BENCH_CASES", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
ARTICLES = 10_000
WARM_UP = 5
LOAD_CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "50"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "20"))
ROOT = Path(__file__).resolve().parents[2]
OPEN = [str(status) for status in OPEN_STATUSES]
FLOOR = "/bench/floor/"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def desk(django_db_setup, django_db_blocker):
    """Seed the scale data once for the module, and shape a case and a contact to measure."""
    with django_db_blocker.unblock():
        started = time.monotonic()
        call_command(
            "seed_scale",
            cases=CASES,
            # The knowledge base does not grow with the cases: the same 10,000 articles
            # at every size. How search grows with the articles is test_knowledge's
            # (BENCH_ARTICLES=100000).
            articles=ARTICLES,
            no_figures=True,
            verbosity=0,
        )
        seeding = time.monotonic() - started
        agent = Agent.objects.select_related("user", "team").get(user__username="bench1")
        # A case with 50 messages and events, and a contact with 200 cases.
        case = Case.objects.filter(assignee=agent).order_by("pk").first()
        now = timezone.now()
        Message.objects.bulk_create(
            Message(case=case, author_contact=case.contact, body=f"Message {n}", created_at=now)
            for n in range(50 - case.messages.count())
        )
        CaseEvent.objects.bulk_create(
            CaseEvent(case=case, kind=CaseEvent.Kind.NOTE, detail=f"Event {n}", created_at=now)
            for n in range(50)
        )
        contact = Contact.objects.filter(owner=agent).order_by("pk").first()
        Case.objects.bulk_create(
            Case(subject=f"Earlier case {n}", contact=contact, created_at=now - timedelta(days=n))
            for n in range(200 - contact.cases.count())
        )
        # The reports' figures, rebuilt from the raw rows as `manage.py reports_rebuild` does.
        started = time.monotonic()
        rollup_rebuild()
        rebuild = time.monotonic() - started
        manager = Agent.objects.create(
            user=get_user_model().objects.create_user("bench-manager", is_staff=True)
        )
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")
            else:
                # As autovacuum would after a bulk load: the visibility map lets the
                # backlog count read its index alone.
                cursor.execute("VACUUM ANALYZE")
        yield {
            "agent": agent,
            "case": case,
            "contact": contact,
            "seeding": seeding,
            "rebuild": rebuild,
            "manager": manager,
        }
        call_command("flush", interactive=False, verbosity=0)


def measure(client, name, url, params=None, *, method="get", data=None, beside=None, before=None):
    """Warm up, then time REQUESTS requests; record median, p95 and queries.

    `before`: called, untimed, before each request (a reports pass, say).

    `beside`: a page (the floor) requested before each timed request with the same
    client and timed too, so that this page's ratio to it comes from the same moments:
    a machine that slows or speeds up between scenarios moves both alike."""
    send = getattr(client, method)

    def once(n):
        if before:
            before()
        payload = data(n) if callable(data) else data
        response = send(url, payload if method == "post" else params)
        assert response.status_code in (200, 302), (name, response.status_code)

    for n in range(WARM_UP):
        once(-1 - n)
    timings = []
    alongside = []
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        once(0)
    for n in range(1, REQUESTS + 1):
        if beside:
            started = time.perf_counter()
            client.get(beside)
            alongside.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        once(n)
        timings.append((time.perf_counter() - started) * 1000)
    extra = {}
    if beside:
        floor = statistics.median(alongside)
        extra = {
            "floor_beside_median_ms": round(floor, 2),
            "median_x_floor_beside": round(statistics.median(timings) / floor, 2),
        }
    return record(name, timings, queries=sum(statement_count(sql) for sql in queries), **extra)


def contact_post(n):
    return {
        "name": f"Load Customer {n}",
        "email": f"bench-post-{uuid.uuid4().hex[:12]}@example.com",
        "subject": "The printer shows error 502",
        "message": "Since this morning the printer shows error 502 on every page.",
        "submission_token": str(uuid.uuid4()),
    }


@override_settings(ROOT_URLCONF="tests.bench.urls", CONTACT_RATE_LIMIT_PER_HOUR=10**9)
def test_pages_against_the_floor(desk):
    agent, team = desk["agent"], desk["agent"].team
    client = Client()
    client.force_login(agent.user)
    record("seeding", seconds=round(desk["seeding"], 1), cases=Case.objects.count())

    floor = measure(client, "floor", FLOOR)
    queue = {
        "queue: as first seen": ("/desk/", {}),
        "queue: status, priority, team": (
            "/desk/",
            {"status": OPEN, "priority": ["3", "4"], "team": team.pk},
        ),
        "queue: searched": ("/desk/", {"q": "printer", "status": OPEN}),
        "queue: sorted by due": ("/desk/", {"status": OPEN, "sort": "due"}),
        "queue: page 50": ("/desk/", {"status": OPEN, "page": 50}),
    }
    limits = {name: 6 for name in queue}
    for name, (url, params) in queue.items():
        measure(client, name, url, params, beside=FLOOR)
    workspace = f"/desk/cases/{desk['case'].reference}/"
    measure(client, "case workspace (50 messages)", workspace, beside=FLOOR)
    contact_page = measure(
        client, "contact page (200 cases)", f"/desk/contacts/{desk['contact'].pk}/", beside=FLOOR
    )
    limits.update({"case workspace (50 messages)": 5, "contact page (200 cases)": 5})
    customer = Client()
    measure(customer, "contact form GET", "/contact/")
    measure(customer, "contact form POST", "/contact/", method="post", data=contact_post)
    limits["contact form POST"] = 6
    measure(customer, "knowledge search", "/kb/search/", {"q": "reset password"})
    # The contact form's answers are kept per text until an article changes: the first
    # ask searches the knowledge base, the next reads the articles kept.
    suggestions = measure(
        customer,
        "contact-form suggestions, first ask",
        "/kb/suggest/",
        {"subject": "Where is my refund"},
        before=version_raise,
    )
    measure(
        customer,
        "contact-form suggestions, kept",
        "/kb/suggest/",
        {"subject": "Where is my refund"},
    )
    manager = Client()
    manager.force_login(desk["manager"].user)

    def a_pass():
        """As a reports pass does: the figures the page keeps are of the last pass."""
        RollupState.objects.filter(pk=1).update(refreshed_at=timezone.now())

    # Each report is worked out by the first view after a pass, then kept until the next.
    reports = measure(
        manager,
        "reports: 90 days, all teams, first view after a pass",
        "/desk/reports/",
        {"period": "90"},
        before=a_pass,
    )
    measure(
        manager,
        "reports: 30 days, one team, first view after a pass",
        "/desk/reports/",
        {"period": "30", "team": team.pk},
        before=a_pass,
    )
    measure(manager, "reports: 90 days, all teams, kept", "/desk/reports/", {"period": "90"})
    measure(
        manager,
        "reports: 30 days, one team, kept",
        "/desk/reports/",
        {"period": "30", "team": team.pk},
    )
    record("reports rebuild (a year)", seconds=round(desk["rebuild"], 1))

    misses = [
        f"{name}: p95 {RESULTS[name]['p95_ms'] / floor['p95_ms']:.1f}× the floor (target {limit}×)"
        for name, limit in limits.items()
        if RESULTS[name]["p95_ms"] > limit * floor["p95_ms"]
    ]
    # Issue 12: the contact page within twice the floor, in medians taken side by side.
    if contact_page["median_x_floor_beside"] >= 2:
        misses.append(
            f"contact page: median {contact_page['median_x_floor_beside']}× the floor beside it"
            " (target under 2×)"
        )
    if suggestions["p95_ms"] >= 50:
        misses.append(f"suggestions: p95 {suggestions['p95_ms']} ms (target 50 ms)")
    # The reports issue: p95 ≤ 150 ms at 100k, ≤ 300 ms at 1M; a year rebuilt in 2 minutes.
    report_limit = 150 if CASES <= 100_000 else 300
    if reports["p95_ms"] > report_limit:
        misses.append(f"reports: p95 {reports['p95_ms']} ms (target {report_limit} ms)")
    if desk["rebuild"] > 120:
        misses.append(f"reports rebuild: {desk['rebuild']:.0f} s (target 120 s)")
    record("targets", missed="; ".join(misses) or "all met")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class FormPoster(threading.Thread):
    """One client: fetches the form once, then posts new submissions until the time is up."""

    def __init__(self, port, until, results, lock):
        super().__init__(daemon=True)
        self.port, self.until, self.results, self.lock = port, until, results, lock

    def run(self):
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection_.request("GET", "/contact/")
            response = connection_.getresponse()
            page = response.read().decode()
            cookie = response.getheader("Set-Cookie", "").split(";")[0]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        except Exception as error:  # counted as a failed client
            with self.lock:
                self.results["errors"].append(f"setup: {error}")
            return
        while time.monotonic() < self.until:
            body = urlencode({"csrfmiddlewaretoken": token, **contact_post(0)})
            started = time.perf_counter()
            try:
                connection_.request(
                    "POST",
                    "/contact/",
                    body,
                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
                )
                response = connection_.getresponse()
                response.read()
                ok = response.status == 302
            except Exception as error:
                ok = False
                response = error
                connection_.close()
                connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                if ok:
                    self.results["latencies"].append(elapsed)
                else:
                    self.results["errors"].append(str(getattr(response, "status", response)))


def test_load_run_loses_no_submission(desk):
    """50 clients post the contact form for 20 s to gunicorn; every success is a case."""
    port = free_port()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
        "CONTACT_RATE_LIMIT_PER_HOUR": str(10**9),
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
    }
    workers = (os.cpu_count() or 1) * 2 + 1
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "helpdesk.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    cases_before = Case.objects.count()
    acks_before = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT).count()
    try:
        wait_for(port)
        results, lock = {"latencies": [], "errors": []}, threading.Lock()
        started = time.monotonic()
        clients = [
            FormPoster(port, started + LOAD_SECONDS, results, lock) for _ in range(LOAD_CLIENTS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(LOAD_SECONDS + 60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(30)
    from helpdesk.celery import app as celery_app

    celery_app.control.purge()  # no worker ran; drop the queued acknowledgement tasks
    posted = len(results["latencies"])
    new_cases = Case.objects.count() - cases_before
    new_acks = (
        OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT).count() - acks_before
    )
    record(
        "load run: contact form POST",
        results["latencies"],
        requests_per_second=round(posted / elapsed, 1),
        clients=LOAD_CLIENTS,
        gunicorn_workers=workers,
        errors=len(results["errors"]),
        cases_made=new_cases,
        acknowledgements_queued=new_acks,
        lost=posted - new_cases,
    )
    assert results["errors"] == []
    assert new_cases == posted
    assert new_acks == posted
