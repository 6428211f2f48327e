"""Demo articles for `manage.py seed_demo` (development only): three topics, a dozen articles,
some of them translated into French and Spanish."""

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

# original's slug, language, slug, title, summary, tags, status, body
TRANSLATIONS = [
    (
        "track-your-parcel",
        "fr",
        "suivre-votre-colis",
        "Suivre votre colis",
        "Où en est votre commande et quand elle arrive.",
        "suivi, livraison, colis",
        PUBLISHED,
        "Chaque e-mail de commande contient un **lien de suivi**. Le suivi bouge dans la "
        "journée qui suit le départ du colis de notre entrepôt.\n\n## Le suivi ne bouge "
        "plus depuis des jours\n\nLes transporteurs ne scannent parfois un colis qu'à la "
        "livraison. Si rien n'a changé depuis cinq jours ouvrés, [écrivez-nous](/contact/) "
        "avec votre numéro de commande.",
    ),
    (
        "track-your-parcel",
        "es",
        "seguir-su-paquete",
        "Seguir su paquete",
        "Dónde está su pedido y cuándo llega.",
        "seguimiento, entrega, paquete",
        PUBLISHED,
        "Cada correo de pedido incluye un **enlace de seguimiento**. El seguimiento se "
        "actualiza en el día siguiente a la salida del paquete de nuestro almacén.\n\n"
        "## El seguimiento no cambia desde hace días\n\nLos transportistas a veces solo "
        "escanean el paquete al entregarlo. Si nada ha cambiado en cinco días hábiles, "
        "[escríbanos](/contact/) con su número de pedido.",
    ),
    (
        "how-refunds-work",
        "fr",
        "comment-fonctionnent-les-remboursements",
        "Comment fonctionnent les remboursements",
        "Quand votre argent revient après une commande annulée.",
        "remboursement, annulation",
        PUBLISHED,
        "Un remboursement revient sur la carte avec laquelle vous avez payé.\n\n"
        "## Combien de temps cela prend\n\n"
        "1. Nous confirmons l'annulation par e-mail le jour même.\n"
        "2. Votre banque affiche le remboursement sous **cinq jours ouvrés**.",
    ),
    (
        "how-refunds-work",
        "es",
        "como-funcionan-los-reembolsos",
        "Cómo funcionan los reembolsos",
        "Cuándo vuelve su dinero tras cancelar un pedido.",
        "reembolso, devolución del dinero, cancelar",
        PUBLISHED,
        "El reembolso vuelve a la tarjeta con la que pagó.\n\n## Cuánto tarda\n\n"
        "1. Confirmamos la cancelación por correo el mismo día.\n"
        "2. Su banco muestra el reembolso en **cinco días hábiles**.",
    ),
    (
        "reset-password",
        "fr",
        "reinitialiser-votre-mot-de-passe",
        "Réinitialiser votre mot de passe",
        "Un lien valable une heure.",
        "mot de passe, connexion",
        PUBLISHED,
        "Choisissez *Mot de passe oublié ?* sur la page de connexion. Le lien reçu par "
        "e-mail est valable une heure et une seule fois.",
    ),
    (
        "reset-password",
        "es",
        "restablecer-su-contrasena",
        "Restablecer su contraseña",
        "Un enlace válido durante una hora.",
        "contraseña, acceso",
        DRAFT,
        "Borrador: elija *¿Olvidó su contraseña?* en la página de acceso.",
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
    originals = {article.slug: article for article in Article.objects.all()}
    for original, language, slug, title, summary, tags, status, body in TRANSLATIONS:
        translation = Article(
            translation_of=originals[original],
            language=language,
            slug=slug,
            category_id=originals[original].category_id,
            title=title,
            summary=summary,
            tags=tags,
            audience=PUBLIC,
            status=status,
            body=body,
        )
        article_save(article=translation, editor=author)
    return True
