"""The account pages around a login: a forgotten password, a lockout, the second step a
manager must set up, and a customer asking for a copy of their data."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases import links
from tests.factories import CaseFactory, ContactFactory, TeamFactory


@pytest.fixture
def team(transactional_db):
    return TeamFactory(name="Customer Care", is_default=True)


def test_agent_resets_a_forgotten_password(page, screenshot, agent, settings, live_server):
    settings.SITE_URL = live_server.url
    agent.user.email = "ana@desk.example"
    agent.user.save()
    mail.outbox = []

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    screenshot(page, "01-reset-form")
    page.get_by_label("Email").fill("ana@desk.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    screenshot(page, "02-check-your-mail")

    [reset] = mail.outbox
    page.goto(re.search(r"https?://\S+", reset.body).group())
    rules = page.locator("#id_new_password1_helptext li")
    expect(rules.first).to_be_visible()  # Django's password rules, as a list
    page.locator("#id_new_password1").fill("password")
    page.locator("#id_new_password2").fill("password")
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("too common")
    screenshot(page, "03-weak-password-refused")
    page.locator("#id_new_password1").fill("a-Longer-passphrase-42")
    page.locator("#id_new_password2").fill("a-Longer-passphrase-42")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("heading", name="Password saved")).to_be_visible()
    screenshot(page, "04-password-saved")

    page.get_by_role("link", name="log in").click()
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("a-Longer-passphrase-42")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))


def test_guessing_a_password_locks_the_name_out(page, screenshot, agent, settings):
    settings.AXES_FAILURE_LIMIT = 3
    page.goto("/accounts/login/")
    for _ in range(3):
        page.get_by_label("Username").fill("ana")
        page.get_by_label("Password").fill("a-wrong-guess")
        page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Try again in 15 minutes")
    screenshot(page, "01-locked-out")


def test_a_manager_is_asked_to_set_up_two_factor_login(page, screenshot, manager, settings):
    settings.REQUIRE_2FA = "managers"
    page.goto("/admin/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next="))
    expect(page.get_by_role("status")).to_contain_text("Your role requires a second step")
    screenshot(page, "01-setup-required")


def test_customer_asks_for_a_copy_of_their_data(page, screenshot, agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example")
    case = CaseFactory(contact=contact, assignee=agent, subject="Printer on fire")
    page.goto(re.search(r"https?://[^/]+(/\S+)", links.access_link_create(case=case)).group(1))

    page.get_by_text("Your data").click()
    screenshot(page, "01-your-data")
    page.get_by_role("button", name="Mail me a copy of my data").click()

    expect(page.get_by_role("alert")).to_contain_text("We have mailed you a link")
    screenshot(page, "02-copy-mailed")
