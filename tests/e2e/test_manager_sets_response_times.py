"""A manager sets a response-time policy's targets in hours and minutes in the admin."""

import pytest
from playwright.sync_api import expect

from cases.models import SlaTarget
from tests.factories import UserFactory
from tests.sla_helpers import policy


@pytest.fixture
def standard(transactional_db):
    UserFactory(username="maya", is_staff=True, is_superuser=True, password="secret-password")
    return policy(targets={2: (90, 240, 1440)})


def test_manager_changes_a_target_in_hours_and_minutes(page, screenshot, standard):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/admin/cases/slapolicy/{standard.pk}/change/")
    first = page.locator("#id_targets-0-first_response_minutes")
    expect(first).to_have_value("1h 30m")
    screenshot(page, "01-policy-targets")
    first.fill("2h 15m")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert SlaTarget.objects.get().first_response_minutes == 135
