"""Webhooks: stored with the change, delivered after, signed per Standard Webhooks."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from api.tasks import webhooks_sweep
from tests.factories import CaseFactory, MessageFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on a loopback port that answers each POST with `status` and keeps
    what it was sent."""

    def __init__(self, status=200, location=None):
        self.got = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body.decode()))
                self.send_response(receiver.status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(b"thanks")

            def log_message(self, *args):
                pass

        self.status = status
        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    made = Receiver()
    yield made
    made.close()


def endpoint(url="https://hooks.example.com/in", events=("case.created",), **fields):
    return WebhookEndpoint.objects.create(
        name="Shop", url=url, events=list(events), secret=webhooks.secret_new(), **fields
    )


def test_an_event_is_stored_for_each_endpoint_that_wants_it(agent):
    wanted = endpoint()
    endpoint(events=["message.created"])
    endpoint(active=False)

    case = CaseFactory(subject="Printer on fire")

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == wanted
    assert delivery.payload["type"] == "case.created"
    assert delivery.payload["data"]["reference"] == case.reference


def test_a_change_rolled_back_sends_nothing(agent):
    endpoint()

    with pytest.raises(RuntimeError), transaction.atomic():
        CaseFactory()
        raise RuntimeError("the change failed")

    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "author, said",
    [
        ({"author_contact": None, "author_label": "Shop"}, ("integration", "Shop")),
        ({"author_contact": None}, ("desk", None)),
        ({}, ("customer", None)),
    ],
)
def test_a_message_says_who_wrote_it(agent, author, said):
    endpoint(events=["message.created"])

    MessageFactory(case=CaseFactory(), body="Shipped", **author)

    data = WebhookDelivery.objects.get().payload["data"]
    assert (data["from"], data["author"]) == said


def test_internal_notes_go_only_to_internal_endpoints(agent):
    partner = endpoint(events=["message.created"])
    own = endpoint(events=["message.created"], internal=True)
    case = CaseFactory()

    MessageFactory(case=case, body="Customer writes")
    MessageFactory(
        case=case, author_agent=agent, author_contact=None, body="Note", is_internal=True
    )

    assert sorted(d.payload["data"]["body"] for d in partner.deliveries.all()) == [
        "Customer writes"
    ]
    assert sorted(d.payload["data"]["body"] for d in own.deliveries.all()) == [
        "Customer writes",
        "Note",
    ]


def test_a_delivery_is_signed_so_a_standard_library_verifies_it(receiver, agent):
    hook = endpoint(url=receiver.url)
    CaseFactory(subject="Printer on fire")

    assert webhooks_sweep.delay().get() == 1

    ((headers, body),) = receiver.got
    verified = Webhook(hook.secret).verify(body, {k.lower(): v for k, v in headers.items()})
    assert verified["data"]["subject"] == "Printer on fire"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.last_status, delivery.attempts, delivery.last_response) == (200, 1, "thanks")
    assert delivery.delivered_at is not None and delivery.last_duration_ms is not None
    assert webhooks_sweep.delay().get() == 0  # delivered once


def test_a_failure_is_tried_again_later_and_given_up_after_a_day(receiver, agent):
    receiver.status = 500
    endpoint(url=receiver.url)
    CaseFactory()
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()

    assert webhooks.delivery_send(delivery, now=now) is False
    assert delivery.next_attempt_at == now + timedelta(seconds=60)
    for _ in webhooks.BACKOFF:
        webhooks.delivery_send(delivery, now=now)

    assert delivery.attempts == len(webhooks.BACKOFF) + 1 and delivery.failed_at == now
    assert sum(webhooks.BACKOFF) >= 20 * 3600  # about a day of tries


def test_an_endpoint_failing_many_times_in_a_row_is_switched_off_and_managers_told(
    receiver, agent, manager
):
    receiver.status = 503
    hook = endpoint(url=receiver.url)
    CaseFactory.create_batch(3)
    hook.consecutive_failures = webhooks.DISABLE_AFTER - 1
    hook.save()

    webhooks.delivery_send(WebhookDelivery.objects.select_related("endpoint").first())

    hook.refresh_from_db()
    assert (hook.active, hook.disabled_at is not None) == (False, True)
    assert webhooks.deliveries_claim() == []  # nothing more is sent to it
    from outbox.models import OutboundEmail

    (notice,) = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.WEBHOOK_OFF)
    assert notice.to == manager.user.email and "Shop" in notice.subject
    assert "HTTP 503" in notice.body_text


def test_redirects_are_not_followed(settings, agent):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    target = Receiver()
    bouncer = Receiver(status=302, location=target.url)
    endpoint(url=bouncer.url)
    CaseFactory()
    try:
        sent = webhooks.delivery_send(WebhookDelivery.objects.get())
    finally:
        target.close()
        bouncer.close()

    assert sent is False and target.got == []
    assert WebhookDelivery.objects.get().last_status == 302


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest",
        "ftp://x/",
    ],
)
def test_private_addresses_are_refused(settings, agent, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    endpoint(url=url)
    CaseFactory()

    assert webhooks.delivery_send(WebhookDelivery.objects.get()) is False
    assert WebhookDelivery.objects.get().last_error == "The address is not a public one."


def test_a_claim_the_broker_lost_is_handed_over_again(agent):
    endpoint()
    CaseFactory()
    now = timezone.now()

    first = webhooks.deliveries_claim(now=now)
    meanwhile = webhooks.deliveries_claim(now=now + timedelta(seconds=10))
    later = webhooks.deliveries_claim(now=now + timedelta(seconds=webhooks.CLAIM_SECONDS + 1))

    assert len(first) == 1 and meanwhile == [] and later == first


def test_the_admin_refuses_a_private_address(client, manager, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(manager.user)

    answer = client.post(
        "/admin/api/webhookendpoint/add/",
        {
            "name": "Mine",
            "url": "http://127.0.0.1/hook",
            "events": ["case.created"],
            "active": "on",
        },
    )

    assert answer.status_code == 200 and "public http(s) address" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_payload_is_json_with_the_event_type(agent):
    endpoint()
    CaseFactory()

    payload = WebhookDelivery.objects.get().payload

    assert set(payload) == {"type", "timestamp", "data"}
    json.dumps(payload)


def test_with_no_endpoint_an_event_costs_no_query(agent, django_assert_num_queries):
    webhooks.webhook_emit("case.created", dict)  # the (empty) list is kept now

    def payload():
        raise AssertionError("no payload is made for nobody")

    with django_assert_num_queries(0):
        assert webhooks.webhook_emit("case.created", payload) == 0


def test_a_new_endpoint_is_heard_at_once(agent):
    webhooks.webhook_emit("case.created", dict)
    endpoint()

    assert webhooks.webhook_emit("case.created", dict) == 1


def events_sent():
    return sorted(WebhookDelivery.objects.values_list("event", flat=True))


def test_a_case_assigned_resolved_and_rated_becomes_events(agent, other_agent):
    from cases.customer import case_rate
    from cases.models import Status
    from cases.transitions import assignee_set, status_set

    endpoint(events=["case.assigned", "case.status_changed", "case.resolved", "rating.created"])
    case = CaseFactory(assignee=agent)

    assignee_set(case, other_agent, actor=agent.user)
    status_set(case, Status.WAITING, actor=agent.user, notify=False)
    status_set(case, Status.RESOLVED, actor=agent.user, notify=False)
    case.save()
    case_rate(case=case, score=4, comment="Quick")

    assert events_sent() == [
        "case.assigned",
        "case.resolved",
        "case.status_changed",
        "case.status_changed",
        "rating.created",
    ]
    assigned = WebhookDelivery.objects.get(event="case.assigned").payload["data"]
    assert assigned["assignee_name"] == "Ben Carter"
    rated = WebhookDelivery.objects.get(event="rating.created").payload["data"]
    assert (rated["score"], rated["comment"]) == (4, "Quick")


def test_an_erased_contact_becomes_an_event_that_names_no_one(agent, manager):
    from cases.personal_data import contact_erase

    endpoint(events=["contact.erased"])
    case = CaseFactory(contact__name="Maria Garcia")

    contact_erase(contact=case.contact, actor=manager.user)

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.payload["data"] == {"contact": case.contact_id}


def test_with_the_broker_down_then_back_every_event_is_delivered_once(receiver, agent, monkeypatch):
    from api import tasks

    endpoint(url=receiver.url)
    cases = CaseFactory.create_batch(3)
    handed = []

    def broker_down(pk):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.webhook_deliver, "delay", broker_down)
    assert webhooks_sweep() == 3  # claimed, but none reached the worker
    monkeypatch.setattr(
        tasks.webhook_deliver, "delay", lambda pk: handed.append(tasks.webhook_deliver(pk))
    )
    assert webhooks_sweep() == 0  # the claims still hold: nothing is sent twice
    assert receiver.got == []

    with time_machine.travel(timezone.now() + timedelta(seconds=webhooks.CLAIM_SECONDS + 1)):
        assert webhooks_sweep() == 3  # the broker is back
        assert webhooks_sweep() == 0

    ids = [headers["webhook-id"] for headers, _ in receiver.got]
    assert len(ids) == len(set(ids)) == 3
    sent = {json.loads(body)["data"]["reference"] for _, body in receiver.got}
    assert sent == {case.reference for case in cases}
    assert handed == [True, True, True]
    assert tasks.webhook_deliver(WebhookDelivery.objects.first().pk) is None  # a stray repeat
