"""The transactional outbox, first half: render a mail and store it in the caller's
transaction. Nothing here talks to the broker or the mail server: the relay (the beat
task `outbox_sweep`, every two seconds) sends what is stored, so a request costs the
same whether Redis is up, down or frozen. It knows no case rules; what a mail says is
the caller's business."""

import logging
from email.utils import make_msgid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from helpdesk.lib.rows import insert
from outbox import delivery
from outbox.models import OutboundEmail

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
    """Stored is enough: the relay sends it within seconds of the commit. With
    OUTBOX_SEND_ON_COMMIT (the tests) it is sent in this process once the commit is done."""
    if settings.OUTBOX_SEND_ON_COMMIT:
        transaction.on_commit(lambda: email_send_now(email.pk))


def email_send_now(email_id: int) -> None:
    try:
        delivery.email_deliver(email_id)
    except Exception:
        # Recorded on the row by email_deliver; the relay tries again when it is due.
        logger.warning("Outbox email %s was not sent; the relay will retry it.", email_id)


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
    """Render an email in a language and store it in the outbox in the caller's transaction;
    the relay sends it once that transaction has committed."""
    subject, text, html = email_render(template=template, context=context, language=language)
    email = OutboundEmail(
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
    insert(email)
    email_enqueue(email)
    return email
