"""The integrations' admin pages: a token's expiry, an endpoint's newest deliveries,
the delivery log's outcome column and its "send again"."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from api.admin import RECENT_DELIVERIES, outcome
from api.models import ApiToken, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 30, 9, 0))


def delivery(endpoint, n=0, **fields):
    fields = {"event": "case.created", "payload": {}, **fields}
    return WebhookDelivery.objects.create(
        endpoint=endpoint, message_id=f"msg_{endpoint.pk}_{n}", **fields
    )


@pytest.fixture
def endpoint():
    return WebhookEndpoint.objects.create(
        name="Shop", url="https://hooks.example.com/in", events=["case.created"], secret="whsec_x"
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "fields, said",
    [
        ({}, "Waiting to be sent"),
        (
            {"attempts": 1, "last_status": 200, "last_duration_ms": 0, "delivered_at": NOW},
            "Delivered (HTTP 200, 0 ms)",
        ),
        (
            {"attempts": 2, "last_status": 503, "next_attempt_at": NOW + timedelta(minutes=5)},
            "Retrying at 09:05 (HTTP 503)",
        ),
        ({"attempts": 1, "last_error": "Timed out"}, "Retrying at 09:00 (Timed out)"),
        ({"attempts": 20, "failed_at": NOW}, "Given up (no answer)"),
    ],
)
def test_a_deliverys_outcome_says_what_came_of_it(endpoint, fields, said):
    assert outcome(delivery(endpoint, **fields)) == said


def test_an_endpoints_page_shows_its_newest_deliveries_and_links_its_log(client, manager, endpoint):
    for n in range(RECENT_DELIVERIES + 1):
        delivery(endpoint, n, event=f"event.{n}")
    client.force_login(manager.user)

    page = client.get(reverse("admin:api_webhookendpoint_change", args=[endpoint.pk]))

    text = page.content.decode()
    assert f"event.{RECENT_DELIVERIES}" in text
    assert "event.0<" not in text  # the oldest of eleven is only in the log
    assert f"?endpoint__id__exact={endpoint.pk}" in text


def test_send_again_hands_the_same_delivery_over_and_says_how_many(client, manager, endpoint):
    done = delivery(endpoint, attempts=1, last_status=200, delivered_at=timezone.now())
    client.force_login(manager.user)

    answer = client.post(
        reverse("admin:api_webhookdelivery_changelist"),
        {"action": "send_again", ACTION_CHECKBOX_NAME: [done.pk]},
        follow=True,
    )

    assert "1 delivery will be sent again" in answer.content.decode()
    done.refresh_from_db()
    assert (done.delivered_at, done.failed_at) == (None, None)
    assert WebhookDelivery.objects.count() == 1


def test_the_delivery_log_cannot_be_edited(client, manager, endpoint):
    made = delivery(endpoint)
    client.force_login(manager.user)

    page = client.get(reverse("admin:api_webhookdelivery_change", args=[made.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_a_tokens_expiry_is_one_labelled_box(client, manager):
    client.force_login(manager.user)

    page = client.get(reverse("admin:api_apitoken_add")).content.decode()
    client.post(
        reverse("admin:api_apitoken_add"),
        {"name": "Shop", "scopes": ["cases:read"], "expires_at": "2027-01-31T17:30"},
    )

    assert 'type="datetime-local"' in page and '<label for="id_expires_at"' in page
    assert "Lookup:" not in page  # made on saving, shown after
    expires = timezone.localtime(ApiToken.objects.get().expires_at)
    assert (expires.date().isoformat(), expires.hour, expires.minute) == ("2027-01-31", 17, 30)
