"""An agent answers a case with a help-centre article's link, inserted in one click."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import ArticleUse, Audience
from tests.factories import CaseFactory, MessageFactory, TeamFactory
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory


@pytest.fixture
def team(transactional_db):
    return TeamFactory(name="Customer Care", is_default=True)


@pytest.fixture
def refund_case(agent, customer):
    billing = ArticleCategoryFactory(name="Billing", slug="billing")
    ArticleFactory(
        title="How refunds work",
        slug="how-refunds-work",
        body="A refund reaches your card within five working days.",
        category=billing,
    )
    ArticleFactory(
        title="Refund approvals over 500 euros",
        slug="refund-approvals",
        body="Ask a team lead first.",
        category=billing,
        audience=Audience.INTERNAL,
    )
    case = CaseFactory(contact=customer, subject="Refund still missing", assignee=agent)
    MessageFactory(case=case, body="I cancelled two weeks ago and have no refund yet.")
    return case


def test_agent_inserts_an_article_link_into_a_reply(page, screenshot, agent, refund_case):
    url = f"/desk/cases/{refund_case.reference}/"
    page.goto(url)
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("secret-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))

    card = page.locator("#suggested-articles")
    expect(card).to_contain_text("How refunds work")
    expect(card).to_contain_text("Refund approvals over 500 euros")
    expect(card.get_by_role("button", name="Insert link")).to_have_count(1)
    page.locator("#reply-form textarea[name=body]").fill("Hi Maria, here is how it works.")
    card.get_by_role("button", name="Insert link").click()

    reply = page.locator("#reply-form textarea[name=body]")
    expect(reply).to_have_value(
        "Hi Maria, here is how it works.\n"
        "How refunds work: https://help.example.com/kb/how-refunds-work/"
    )
    expect(card.get_by_role("button", name="Inserted")).to_be_visible()
    screenshot(page, "01-workspace")
    use = ArticleUse.objects.get()
    assert (use.case, use.agent, use.article.slug) == (refund_case, agent, "how-refunds-work")
