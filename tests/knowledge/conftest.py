import pytest

from knowledge.models import ArticleStatus, Audience
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory


@pytest.fixture
def billing(db):
    return ArticleCategoryFactory(name="Billing", slug="billing")


@pytest.fixture
def refund_article(billing):
    return ArticleFactory(
        title="How refunds work",
        slug="how-refunds-work",
        summary="When your money comes back after a cancelled order.",
        body="A refund reaches your card within five working days of the cancellation.",
        category=billing,
        tags="refund, money back",
    )


@pytest.fixture
def internal_article(billing):
    return ArticleFactory(
        title="Refund approvals over 500 euros",
        slug="refund-approvals",
        body="Internal: ask a team lead before approving a refund over 500 euros.",
        category=billing,
        audience=Audience.INTERNAL,
    )


@pytest.fixture
def draft_article(billing):
    return ArticleFactory(
        title="Refunds for gift cards",
        slug="refund-gift-cards",
        body="Draft: gift card refunds are not settled yet.",
        category=billing,
        status=ArticleStatus.DRAFT,
    )
