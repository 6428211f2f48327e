"""An agent pages through the desk's articles and writes a new one, fixing a taken address."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import Article, ArticleStatus
from tests.factories import TeamFactory
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory


@pytest.fixture
def team(transactional_db):
    """The live server reads the database from its own thread, so the data is committed."""
    return TeamFactory(name="Customer Care", is_default=True)


@pytest.fixture
def shelf(team):
    """25 articles: a page of 20 and a second of 5, one of them a draft."""
    printers = ArticleCategoryFactory(name="Printers", slug="printers")
    for number in range(25):
        ArticleFactory(
            title=f"Printer question {number:02d}",
            slug=f"printer-question-{number:02d}",
            category=printers,
            status=ArticleStatus.DRAFT if number == 22 else ArticleStatus.PUBLISHED,
        )
    return printers


def test_agent_pages_through_the_articles_and_writes_one(page, screenshot, agent, shelf):
    page.goto("/desk/kb/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/desk/kb/$"))
    expect(page.locator("#kb-results li")).to_have_count(20)
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 1 of 2")
    screenshot(page, "01-articles")

    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/desk/kb/\?page=2$"))
    expect(page.locator("#kb-results li")).to_have_count(5)
    expect(page.locator("#kb-results")).to_contain_text("Printer question 24")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 2 of 2")
    screenshot(page, "02-articles-page-2")

    page.get_by_role("link", name="New article").click()
    form = page.locator("#article-form")
    form.get_by_label("Title").fill("Printer shows offline")
    form.get_by_label("Slug").fill("printer-question-01")
    form.get_by_label("Category").select_option(label="Printers")
    form.get_by_label("Audience").select_option(label="Internal (agents only)")
    form.get_by_label("Body").fill("Restart the **print spooler**.")
    form.get_by_role("button", name="Save").click()

    # The address is taken: the message is under the slug, the rest is kept.
    slug = form.get_by_label("Slug")
    expect(slug).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(slug).to_have_accessible_description(re.compile("already exists"))
    expect(form.get_by_label("Title")).to_have_value("Printer shows offline")
    expect(form.locator(".is-invalid")).to_have_count(1)
    screenshot(page, "03-address-taken")

    slug.fill("printer-shows-offline")
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/desk/kb/printer-shows-offline/$"))
    expect(page.get_by_role("alert")).to_have_text("Saved “Printer shows offline”.")
    assert Article.objects.get(slug="printer-shows-offline").audience == "internal"
    screenshot(page, "04-saved")
