"""Demo articles for `manage.py seed_demo` (development only): three topics, a dozen articles."""

from django.db import transaction

from knowledge.models import Article, ArticleCategory, ArticleStatus, Audience
from knowledge.services import article_save

PUBLIC, INTERNAL = Audience.PUBLIC, Audience.INTERNAL
PUBLISHED, DRAFT = ArticleStatus.PUBLISHED, ArticleStatus.DRAFT
CATEGORIES = [
    ("orders", "Orders and delivery", "Tracking, changing and returning an order."),
    ("billing", "Billing and refunds", "Invoices, payments and getting your money back."),
    ("account", "Your account", "Signing in, passwords and two-factor codes."),
]
# slug, category, title, summary, tags, audience, status, body
ARTICLES = [
    (
        "track-your-parcel",
        "orders",
        "Track your parcel",
        "Where your order is and when it arrives.",
        "tracking, delivery, parcel",
        PUBLIC,
        PUBLISHED,
        "Every order email has a **tracking link**. Tracking starts moving within a day of "
        "the parcel leaving our warehouse.\n\n## Tracking has not moved for days\n\n"
        "Carriers sometimes scan a parcel only on delivery. If nothing changed for five "
        "working days, [contact us](/contact/) with your order number.",
    ),
    (
        "change-delivery-address",
        "orders",
        "Change the delivery address of an order",
        "Possible until the parcel ships.",
        "address, delivery, order",
        PUBLIC,
        PUBLISHED,
        "Open the order from your confirmation email and choose *Change address*. Once the "
        "parcel has shipped, the carrier can redirect it from their own tracking page.",
    ),
    (
        "damaged-item",
        "orders",
        "An item arrived damaged",
        "Send us a photo and we replace it.",
        "damaged, broken, replacement",
        PUBLIC,
        PUBLISHED,
        "We are sorry! Reply to your order email with a photo of the item and of the box. "
        "We send a replacement straight away; there is no need to return the damaged item.",
    ),
    (
        "returns",
        "orders",
        "Return an order",
        "30 days, free of charge.",
        "return, refund, label",
        PUBLIC,
        PUBLISHED,
        "1. Print the return label from your order page.\n2. Pack the items in any box.\n"
        "3. Drop it at a post office.\n\nYour refund starts when the parcel reaches us.",
    ),
    (
        "how-refunds-work",
        "billing",
        "How refunds work",
        "When your money comes back after a cancelled order.",
        "refund, money back, cancel",
        PUBLIC,
        PUBLISHED,
        "A refund goes back to the card you paid with.\n\n## How long it takes\n\n"
        "1. We confirm the cancellation by email the same day.\n"
        "2. Your bank shows the refund within **five working days**.",
    ),
    (
        "wrong-invoice",
        "billing",
        "My invoice shows the wrong amount",
        "Seats, discounts and VAT explained.",
        "invoice, seats, vat",
        PUBLIC,
        PUBLISHED,
        "Invoices count the seats active on the billing date. If you removed users after "
        "that date, the difference is credited on your next invoice.",
    ),
    (
        "billing-address",
        "billing",
        "Change your billing address",
        "For future invoices.",
        "billing, address, invoice",
        PUBLIC,
        PUBLISHED,
        "Managers of an account change the billing address under *Settings → Billing*. "
        "Invoices already issued keep the old address.",
    ),
    (
        "refund-approvals",
        "billing",
        "Approving refunds over 500 euros",
        "Team lead approval first.",
        "refund, approval",
        INTERNAL,
        PUBLISHED,
        "Refunds over **500 euros** need a team lead's approval: add an internal note with "
        "the amount and assign the case to your lead.",
    ),
    (
        "reset-password",
        "account",
        "Reset your password",
        "A link that works for an hour.",
        "password, login, reset",
        PUBLIC,
        PUBLISHED,
        "Choose *Forgot password?* on the login page. The link in the email works for one "
        "hour and once only.",
    ),
    (
        "two-factor-codes",
        "account",
        "Two-factor codes do not arrive",
        "What to check before you write to us.",
        "2fa, sms, code, login",
        PUBLIC,
        PUBLISHED,
        "Check that your phone number is right and that the phone has signal. Codes from an "
        "authenticator app work without signal.",
    ),
    (
        "account-locked",
        "account",
        "Unlocking a locked account",
        "After five failed logins.",
        "locked, login",
        INTERNAL,
        PUBLISHED,
        "Check the login history in the admin first. Unlock only after confirming the "
        "customer's identity by phone.",
    ),
    (
        "single-sign-on",
        "account",
        "Sign in with your company account",
        "Single sign-on for teams, in preview.",
        "sso, login",
        PUBLIC,
        DRAFT,
        "Draft: single sign-on is in preview for a few customers.",
    ),
]


@transaction.atomic
def seed_articles(*, author) -> bool:
    """Load the demo articles once; False when the knowledge base already has content."""
    if ArticleCategory.objects.exists() or Article.objects.exists():
        return False
    categories = {
        slug: ArticleCategory.objects.create(
            slug=slug, name=name, description=description, position=position
        )
        for position, (slug, name, description) in enumerate(CATEGORIES)
    }
    for slug, category, title, summary, tags, audience, status, body in ARTICLES:
        article = Article(
            slug=slug,
            category=categories[category],
            title=title,
            summary=summary,
            tags=tags,
            audience=audience,
            status=status,
            body=body,
        )
        article_save(article=article, editor=author)
    return True
