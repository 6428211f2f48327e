"""A customer about to write in is shown an article that answers them, reads it and votes."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import Article, ArticleStatus, ArticleVote, Audience, SuggestionOpen
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory

REFUND_BODY = """When you cancel an order, the refund goes back to the card you paid with.

## How long it takes

1. We confirm the cancellation by email the same day.
2. Your bank shows the refund within **five working days**.

Still nothing after a week? [Check your statement](https://example.com/statement) first.
"""


@pytest.fixture
def help_centre(transactional_db):
    billing = ArticleCategoryFactory(name="Billing and refunds", slug="billing")
    orders = ArticleCategoryFactory(name="Orders and delivery", slug="orders")
    account = ArticleCategoryFactory(name="Your account", slug="account")
    refund = ArticleFactory(
        title="How refunds work",
        slug="how-refunds-work",
        summary="When your money comes back after a cancelled order.",
        body=REFUND_BODY,
        category=billing,
        tags="refund, money back, cancel",
    )
    ArticleFactory(
        title="Refund to a card that has expired",
        slug="refund-expired-card",
        summary="Your bank forwards it to your new card.",
        category=billing,
    )
    ArticleFactory(title="Track your parcel", slug="track-parcel", category=orders)
    ArticleFactory(title="Reset your password", slug="reset-password", category=account)
    ArticleFactory(
        title="Refund approvals over 500 euros",
        slug="refund-approvals",
        category=billing,
        audience=Audience.INTERNAL,
    )
    ArticleFactory(
        title="Refunds for gift cards",
        slug="refund-gift-cards",
        category=billing,
        status=ArticleStatus.DRAFT,
    )
    Article.objects.filter(slug="track-parcel").update(helpful_yes=12, helpful_no=1)
    return refund


def test_customer_types_a_subject_opens_the_suggested_article_and_votes(
    page, screenshot, help_centre
):
    page.goto("/kb/")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    expect(page.locator("#kb-categories")).to_contain_text("Billing and refunds")
    expect(page.locator("#kb-most-helpful")).to_contain_text("Track your parcel")
    expect(page.locator("body")).not_to_contain_text("Refund approvals over 500 euros")
    screenshot(page, "01-help-centre")

    page.goto("/contact/")
    page.get_by_label("Subject").press_sequentially("Where is my refu", delay=20)
    suggestions = page.locator("#kb-suggestion-list")
    expect(suggestions).to_contain_text("How refunds work")
    expect(suggestions).not_to_contain_text("Refund approvals")
    expect(suggestions).not_to_contain_text("gift cards")
    page.get_by_label("How can we help?").fill("I cancelled my order last week.")
    screenshot(page, "02-contact-form-with-suggestions")

    with page.expect_popup() as opened:
        suggestions.get_by_role("link", name="How refunds work").click()
    article = opened.value
    expect(article).to_have_url(re.compile(r"/kb/how-refunds-work/$"))
    expect(article.get_by_role("heading", name="How refunds work")).to_be_visible()
    expect(article.locator("#kb-body strong")).to_have_text("five working days")
    expect(article.locator("#kb-related")).to_contain_text("Refund to a card that has expired")
    expect(article.get_by_role("link", name="Contact us").last).to_have_attribute(
        "href", "/contact/?subject=How%20refunds%20work"
    )
    screenshot(article, "03-article")

    article.get_by_role("button", name="Yes").click()
    expect(article.locator("#kb-voted")).to_be_visible()
    expect(article.get_by_role("alert")).to_contain_text("Thank you for your feedback.")
    screenshot(article, "04-voted")

    assert SuggestionOpen.objects.get().article == help_centre
    vote = ArticleVote.objects.get()
    assert (vote.article, vote.helpful) == (help_centre, True)
    help_centre.refresh_from_db()
    assert (help_centre.helpful_yes, help_centre.helpful_no) == (1, 0)
    assert help_centre.suggested_count == 1  # reported by the page, once for this page view


def test_customer_searches_the_help_centre(page, screenshot, help_centre):
    page.goto("/kb/")
    page.get_by_label("Search the help centre").fill("refund card")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/kb/search/\?q=refund\+card$"))
    results = page.locator("#kb-results")
    expect(results).to_contain_text("How refunds work")
    expect(results.locator("mark").first).to_be_visible()
    expect(results).not_to_contain_text("Refund approvals")
    screenshot(page, "01-results")


@pytest.fixture
def parcel_shelf(transactional_db):
    """25 published articles about parcels: a page of 20 and a second of 5, by search or topic."""
    orders = ArticleCategoryFactory(name="Parcels", slug="parcels")
    for number in range(25):
        ArticleFactory(
            title=f"Parcel question {number:02d}",
            slug=f"parcel-question-{number:02d}",
            body="Where your parcel is and when it arrives.",
            category=orders,
        )
    return orders


def test_customer_pages_through_search_results_and_a_topic(page, screenshot, parcel_shelf):
    page.goto("/kb/")
    page.get_by_label("Search the help centre").fill("parcel")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#kb-result-count")).to_have_text("25 articles match “parcel”.")
    expect(page.locator("#kb-results li")).to_have_count(20)

    pages = page.get_by_role("navigation", name="Pages")
    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/kb/search/\?q=parcel&page=2$"))
    expect(page.locator("#kb-results li")).to_have_count(5)
    expect(page.get_by_label("Search the help centre")).to_have_value("parcel")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 2 of 2")
    screenshot(page, "01-search-page-2")

    page.goto(parcel_shelf.get_absolute_url())
    pages.get_by_role("link", name="Page 2").click()
    expect(page).to_have_url(re.compile(r"/kb/category/parcels/\?page=2$"))
    expect(page.locator("#kb-category-articles li")).to_have_count(5)
    expect(page.locator("#kb-category-articles")).to_contain_text("Parcel question 24")
    screenshot(page, "02-topic-page-2")


def test_on_a_phone_the_suggestions_sit_above_the_send_button(page, screenshot, help_centre):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/contact/")
    page.get_by_label("Subject").press_sequentially("Where is my refu", delay=20)
    expect(page.locator("#kb-suggestion-list")).to_contain_text("How refunds work")

    card = page.locator("#kb-suggestions-card").bounding_box()
    send = page.get_by_role("button", name="Send").bounding_box()
    assert card["y"] + card["height"] <= send["y"]
    page.locator("#kb-suggestions-card").scroll_into_view_if_needed()
    screenshot(page, "01-phone-suggestions-above-send")
