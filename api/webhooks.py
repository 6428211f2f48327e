"""Outgoing webhooks: what happened, stored with the change that made it happen and
delivered afterwards, signed as the Standard Webhooks specification says.

An event becomes one WebhookDelivery per endpoint that wants it, written in the same
transaction as the change (a rolled-back change sends nothing; a broker that is down
loses nothing). The beat's sweep sends what is due, each with a short timeout and
without following redirects; a failure is tried again later, longer each time, for
about a day; an endpoint that fails many times in a row is switched off. Addresses
that resolve to private, loopback or link-local networks are refused unless
WEBHOOKS_ALLOW_PRIVATE is set (tests, local development).
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from helpdesk.lib.kept import kept
from outbox.models import OutboundEmail
from outbox.store import email_store

ENDPOINTS_KEY = "webhook-endpoints:1"

TIMEOUT_SECONDS = 5
# Waits between tries: about a day in all, then the delivery is given up.
BACKOFF = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600]
DISABLE_AFTER = 20  # failures in a row, over all of an endpoint's deliveries
RESPONSE_KEPT = 500  # characters of a receiver's answer kept in the log
CLAIM_SECONDS = 120  # a delivery handed to the worker is not handed again before this


def secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header's value (Standard Webhooks, v1: HMAC-SHA256)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def endpoints_wanting() -> list[tuple[int, list[str], bool]]:
    """The active endpoints, as (pk, events, internal), kept in the cache and in the
    process a few seconds: every case and message saved asks, and most desks have
    none or few. Saving an endpoint drops them (api.signals)."""
    return kept(ENDPOINTS_KEY, _endpoints_read, 300, remember=True)


def _endpoints_read():
    return [
        (pk, list(events), internal)
        for pk, events, internal in WebhookEndpoint.objects.filter(active=True).values_list(
            "pk", "events", "internal"
        )
    ]


def webhook_emit(event: str, data: Callable[[], dict], *, internal: bool = False) -> int:
    """Queue the event for every active endpoint that wants it, in the caller's
    transaction. `data` makes the payload's data, called only when an endpoint wants
    the event: every case and message saved passes here, most with no endpoint to
    tell. `internal`: only endpoints marked internal receive it."""
    wanted = [
        pk
        for pk, events, internal_ok in endpoints_wanting()
        if event in events and (internal_ok or not internal)
    ]
    if not wanted:
        return 0
    payload = {"type": event, "timestamp": timezone.now().isoformat(), "data": data()}
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=pk, message_id=f"msg_{uuid.uuid4().hex}", event=event, payload=payload
        )
        for pk in wanted
    )
    return len(wanted)


def address_allowed(url: str) -> bool:
    """Whether the URL is http(s) to a host whose every address is public (or private
    addresses are allowed here)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return False
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return True
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global or address.is_multicast:
            return False
    return True


def delivery_send(delivery: WebhookDelivery, *, now=None) -> bool:
    """Try the delivery once; record what came of it. True when the receiver took it."""
    now = now or timezone.now()
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"))
    stamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature(endpoint.secret, delivery.message_id, stamp, body),
    }
    started = time.monotonic()
    status, answer, error = None, "", ""
    if not address_allowed(endpoint.url):
        error = "The address is not a public one."
    else:
        try:
            response = requests.post(
                endpoint.url,
                data=body.encode(),
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
            status, answer = response.status_code, response.text[:RESPONSE_KEPT]
        except requests.RequestException as failure:
            error = str(failure)[:RESPONSE_KEPT]
    delivery.attempts += 1
    delivery.last_status = status
    delivery.last_response = answer
    delivery.last_error = error
    delivery.last_duration_ms = int((time.monotonic() - started) * 1000)
    delivery.last_attempt_at = now
    ok = status is not None and 200 <= status < 300
    if ok:
        delivery.delivered_at = now
        endpoint.consecutive_failures = 0
    else:
        endpoint.consecutive_failures += 1
        if delivery.attempts > len(BACKOFF):
            delivery.failed_at = now
        else:
            delivery.next_attempt_at = now + timedelta(seconds=BACKOFF[delivery.attempts - 1])
        if endpoint.consecutive_failures >= DISABLE_AFTER and endpoint.active:
            endpoint.active = False
            endpoint.disabled_at = now
            managers_tell(endpoint, delivery)
    delivery.save()
    endpoint.save(update_fields=["consecutive_failures", "active", "disabled_at"])
    return ok


def managers_tell(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> int:
    """Mail every active manager (staff) that the endpoint was switched off, with why."""
    managers = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    context = {
        "endpoint": endpoint,
        "failures": endpoint.consecutive_failures,
        "status": delivery.last_status,
        "error": delivery.last_error,
        "site_name": settings.SITE_NAME,
        "admin_url": f"{settings.SITE_URL}/admin/api/webhookendpoint/{endpoint.pk}/change/",
    }
    for manager in managers:
        email_store(
            kind=OutboundEmail.Kind.WEBHOOK_OFF,
            to=manager.email,
            template="webhook_off",
            context=context,
            language=settings.LANGUAGE_CODE,
        )
    return len(managers)


def deliveries_claim(*, now=None, limit: int = 500) -> list[int]:
    """What is due, claimed for CLAIM_SECONDS: the worker gets a task per delivery
    (api.tasks), so that a slow endpoint delays only its own; a task the broker lost is
    handed over again by a later sweep, and two sweeps never claim one twice."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(
                delivered_at__isnull=True,
                failed_at__isnull=True,
                next_attempt_at__lte=now,
                endpoint__active=True,
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=due).update(
            next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS)
        )
    return due


def delivery_attempt(pk: int) -> bool | None:
    """The worker's side: send one claimed delivery (None when it is done already)."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=pk, delivered_at__isnull=True, failed_at__isnull=True)
        .first()
    )
    if delivery is None:
        return None
    return delivery_send(delivery)
