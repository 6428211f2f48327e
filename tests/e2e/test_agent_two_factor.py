"""An agent sets up two-factor login from their own page, then logs in with it."""

import re
import time

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import TeamFactory


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


def app_code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_agent_sets_up_two_factor_login_and_logs_in_with_it(page, screenshot, agent):
    page.goto("/desk/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))

    page.get_by_role("link", name="Ana Silva").click()
    expect(page.locator("#two-factor-state")).to_contain_text("Off")
    screenshot(page, "01-account-page")
    page.get_by_role("link", name="Set up two-factor login").click()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    page.get_by_text("Cannot scan? Type this key instead").click()
    key = page.locator("#totp-key").inner_text()
    device = TOTPDevice.objects.get(user=agent.user, confirmed=False)
    assert re.fullmatch(r"[A-Z2-7]+", key)
    screenshot(page, "02-scan-the-code")
    page.get_by_label("Code").fill(app_code(device))
    page.get_by_role("button", name="Turn on two-factor login").click()

    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    screenshot(page, "03-recovery-codes")
    page.get_by_role("link", name="I have kept them").click()
    expect(page.locator("#two-factor-state")).to_contain_text("10 recovery codes left")
    screenshot(page, "04-two-factor-on")
    page.get_by_role("button", name="Log out", exact=True).click()

    # The next login, half a minute on: the app shows a new code.
    with time_machine.travel(time.time() + 30):
        page.goto("/desk/")
        page.get_by_label("Username").fill("ana")
        page.get_by_label("Password").fill("secret-password")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=/desk/$"))
        screenshot(page, "05-second-step")
        page.get_by_label("Code").fill("000000")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".invalid-feedback")).to_contain_text("That code is not right")
        screenshot(page, "06-wrong-code")

    # A wrong code makes the next try wait a moment (django-otp's throttle).
    with time_machine.travel(time.time() + 65):
        page.get_by_label("Code").fill(app_code(TOTPDevice.objects.get(user=agent.user)))
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/desk/$"))
        expect(page.get_by_role("heading", name="Queue")).to_be_visible()
