"""The transactional outbox, first half: render a mail, store it in the caller's
transaction, and hand it to a worker once that transaction commits. It knows no case
rules; what a mail says is the caller's business."""

import logging
from email.utils import make_msgid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from outbox.models import OutboundEmail
from outbox.tasks import send_outbound_email

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    """An absolute link for mail, from SITE_URL, never from a request's Host header."""
    return settings.SITE_URL + path


def message_id_new() -> str:
    return make_msgid(domain=settings.HELPDESK_EMAIL.rpartition("@")[2] or "helpdesk.localhost")


def email_render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of an email template, in the given language."""
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        text = render_to_string(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    return " ".join(subject.split()), text, html


def email_enqueue(email: OutboundEmail) -> None:
    """Queue the sending task once the transaction that stored the email commits."""
    transaction.on_commit(lambda: email_publish(email.pk))


def email_publish(email_id: int) -> None:
    try:
        send_outbound_email.delay(email_id)
    except Exception:
        # The broker is down or slow. The email is safe in the outbox and the
        # beat sweep sends it; the customer's request must not fail for this.
        logger.warning(
            "Could not queue outbound email %s; the outbox sweep will send it.", email_id
        )


def email_store(
    *,
    kind: str,
    to: str,
    template: str,
    context: dict,
    language: str,
    case=None,
    message=None,
    auto_generated: bool = True,
) -> OutboundEmail:
    """Render an email in a language, store it in the outbox in the caller's transaction,
    and send it once that transaction commits."""
    subject, text, html = email_render(template=template, context=context, language=language)
    email = OutboundEmail.objects.create(
        case=case,
        message=message,
        kind=kind,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id_header=message_id_new(),
        auto_generated=auto_generated,
    )
    email_enqueue(email)
    return email
