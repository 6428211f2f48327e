"""A manager connects an integration in admin: an API token whose key is shown once, a
webhook endpoint, and the delivery log that shows what was sent and sends it again."""

import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from api.models import ApiToken, WebhookDelivery
from api.tasks import webhooks_sweep
from tests.factories import TeamFactory

KEY = re.compile(r"hd_[0-9a-f]{8}_[\w-]+")
DELIVERED = re.compile(r"Delivered \(HTTP 200, \d+ ms\)")


@pytest.fixture
def team(transactional_db):
    """The default team, which the case the shop opens goes to."""
    return TeamFactory(name="Customer Care", is_default=True)


class Receiver:
    """The shop's side: an HTTP server on a loopback port that answers each POST with
    200 and keeps the headers and body it was sent."""

    def __init__(self):
        self.got = []
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append(({k.lower(): v for k, v in self.headers.items()}, body.decode()))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"thanks")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/helpdesk-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings):
    # The live server runs in this process, so it sees the setting: loopback is allowed.
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    made = Receiver()
    yield made
    made.server.shutdown()
    made.server.server_close()


def sign_in_to_admin(page):
    page.goto("/admin/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="API tokens")).to_be_visible()


def make_token(page, screenshot) -> str:
    """Add a token for the shop that may read and open cases; return the key shown once."""
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("link", name="Add API token").click()
    page.get_by_label("Name").fill("Shop")
    page.get_by_label("cases: read").check()
    page.get_by_label("cases: write").check()
    expiry = timezone.localtime() + timedelta(days=365)
    page.get_by_label("Expires at").fill(expiry.strftime("%Y-%m-%dT12:00"))
    screenshot(page, "01-add-token")
    page.get_by_role("button", name="Save", exact=True).click()

    shown = page.locator(".messagelist .warning")
    expect(shown).to_contain_text("shown this once")
    screenshot(page, "02-token-key-shown-once")
    key = KEY.search(shown.inner_text()).group()
    token = ApiToken.objects.get()
    assert token.scopes == ["cases:read", "cases:write"]
    assert timezone.localtime(token.expires_at).date() == expiry.date()

    page.reload()
    expect(page.locator("#result_list")).to_contain_text("Shop")
    expect(page.locator("body")).not_to_contain_text(key)
    screenshot(page, "03-token-listed-without-its-key")
    return key


def make_endpoint(page, screenshot, url: str) -> str:
    """Add an endpoint that wants new cases at `url`; return its secret as admin shows it."""
    page.get_by_role("link", name="Webhook endpoints", exact=True).click()
    page.get_by_role("link", name="Add webhook endpoint").click()
    page.get_by_label("Name").fill("Shop orders")
    page.get_by_label("URL").fill(url)
    page.get_by_label("A case was opened").check()
    screenshot(page, "04-add-endpoint")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    secret = page.locator(".field-secret .readonly")
    expect(secret).to_contain_text("whsec_")
    screenshot(page, "05-endpoint-with-its-secret")
    return secret.inner_text().strip()


def test_manager_connects_a_shop_and_sees_its_deliveries(
    page, new_page, screenshot, manager, team, receiver
):
    sign_in_to_admin(page)
    screenshot(page, "00-admin-index")
    key = make_token(page, screenshot)

    # The shop's own requests: a visitor of its own, without the manager's session.
    shop = new_page().request
    refused = shop.get("/api/v1/cases/")
    assert refused.status == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="api"'
    listed = shop.get("/api/v1/cases/", headers={"Authorization": f"Bearer {key}"})
    assert listed.status == 200
    assert listed.json()["results"] == []

    secret = make_endpoint(page, screenshot, receiver.url)

    opened = shop.post(
        "/api/v1/cases/",
        headers={"Authorization": f"Bearer {key}"},
        data={"email": "maria@customer.example", "subject": "Parcel lost", "message": "Help"},
    )
    assert opened.status == 201, opened.text()
    reference = opened.json()["reference"]

    # What the beat runs every few seconds; the live server has no beat of its own.
    assert webhooks_sweep() == 1
    [(headers, body)] = receiver.got
    event = Webhook(secret).verify(body, headers)
    assert event["type"] == "case.created"
    assert event["data"]["reference"] == reference

    # The endpoint's page, still open, shows its newest deliveries and links to its log.
    page.reload()
    recent = page.locator(".field-recent_deliveries")
    expect(recent).to_contain_text("case.created")
    expect(recent).to_contain_text(DELIVERED)
    screenshot(page, "05b-endpoint-with-its-deliveries")
    page.get_by_role("link", name="The whole delivery log of this endpoint").click()
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".field-endpoint")).to_have_text("Shop orders")
    expect(row.locator(".field-event")).to_have_text("case.created")
    expect(row.locator(".field-attempts")).to_have_text("1")
    expect(row.locator(".field-outcome_shown")).to_have_text(DELIVERED)
    screenshot(page, "06-delivery-log")

    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option(label="Send again")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("will be sent again")
    assert webhooks_sweep() == 1
    first, again = receiver.got
    assert again[0]["webhook-id"] == first[0]["webhook-id"]  # a retry, not a new event
    assert Webhook(secret).verify(again[1], again[0])["data"]["reference"] == reference

    page.reload()
    expect(row.locator(".field-attempts")).to_have_text("2")
    expect(row.locator(".field-outcome_shown")).to_have_text(DELIVERED)
    screenshot(page, "07-delivery-log-sent-again")

    row.locator("th a").click()
    expect(page.locator(".field-payload")).to_contain_text(reference)
    screenshot(page, "08-delivery")
    assert WebhookDelivery.objects.get().attempts == 2
