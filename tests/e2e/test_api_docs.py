"""An integrator opens the API's documentation: our own page, written from the schema."""

import pytest
from playwright.sync_api import expect

from tests.factories import TeamFactory


@pytest.fixture
def team(transactional_db):
    return TeamFactory(name="Customer Care", is_default=True)


def test_the_api_docs_list_the_endpoints(page, screenshot, team):
    page.goto("/api/v1/docs/")

    expect(page.get_by_text("/api/v1/cases/", exact=True).first).to_be_visible()
    expect(page.get_by_text("/api/v1/contacts/{id}/cases/", exact=True)).to_be_visible()
    reply = page.locator("section", has_text="/api/v1/cases/{reference}/replies/")
    expect(reply.get_by_text("status_after", exact=True)).to_be_visible()
    expect(reply.locator("caption")).to_contain_text("multipart/form-data")
    screenshot(page, "01-api-docs")
