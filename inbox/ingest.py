"""Inbound mail: one way in for the MTA pipe, the IMAP poll and provider webhooks.

`ingest(raw)` takes one RFC 822 message and files it: into the case it answers
(inbox.threading), else as a new case for the sender. Auto-replies, bounces and
loops are ignored (inbox.filters); a message that cannot be read (inbox.parse) is
quarantined with the reason, so it never blocks the messages after it.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from cases.customer import case_customer_reply
from cases.intake import case_open
from cases.models import Case, CaseEvent, Channel, Message
from cases.said import Said
from cases.timeline import case_lock, case_record
from contacts.services import contact_get_or_create
from inbox.filters import ignore_reason, sender_allowed
from inbox.models import QuarantinedEmail
from inbox.parse import (
    CONTROL_RE,
    InboundMail,
    Unreadable,
    header,
    parse_bytes,
    read_content,
    read_headers,
    subject_of,
)
from inbox.threading import case_answered
from outbox.models import OutboundEmail

logger = logging.getLogger(__name__)


@dataclass
class InboundResult:
    """What ingest did with one message, and why."""

    action: str  # created, threaded, duplicate, ignored or quarantined
    case: Case | None = None
    message: Message | None = None
    reason: str = ""
    quarantined: QuarantinedEmail | None = None

    def __str__(self):
        where = f" {self.case.reference}" if self.case else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{self.action}{where}{why}"


def ingest(raw: bytes) -> InboundResult:
    """File one raw message; see the module's docstring. What it stores is committed
    when it returns (unless the caller holds a transaction open)."""
    sender = subject = ""
    try:
        message = parse_bytes(raw)
        subject = subject_of(message)
        sender = header(message, "From")
        mail = read_headers(message, raw)
        sender = mail.sender
        reason = ignore_reason(message, sender)
    except Exception as error:
        return quarantine(raw, reason=_why(error), sender=sender, subject=subject)
    if reason:
        logger.info("Ignored inbound mail from %s: %s", sender, reason)
        return InboundResult("ignored", reason=reason)
    if OutboundEmail.objects.filter(message_id_header=mail.message_id).exists():
        return InboundResult("ignored", reason="our own email came back")
    duplicate = _duplicate(mail.message_id)
    if duplicate:
        return duplicate
    if not sender_allowed(sender):
        limit = settings.INBOUND_MAX_PER_SENDER_PER_HOUR
        logger.warning("Ignored inbound mail from %s: over %s this hour.", sender, limit)
        return InboundResult("ignored", reason=f"more than {limit} emails from {sender} this hour")

    try:
        read_content(message, mail)
    except Exception as error:
        return quarantine(raw, reason=_why(error), sender=sender, subject=subject)

    try:
        return _file(mail)
    except (OperationalError, InterfaceError):
        # The database is unreachable or busy: the caller keeps the mail and tries later.
        raise
    except IntegrityError as error:
        # The same message, delivered twice at the same moment, was filed by the other one.
        duplicate = _duplicate(mail.message_id)
        if duplicate:
            return duplicate
        logger.exception("Could not file inbound mail %s", mail.message_id)
        return quarantine(raw, reason=f"could not be filed: {_why(error)}", sender=sender)
    except Exception as error:
        # A message must never block the ones after it: keep it for a manager instead.
        logger.exception("Could not file inbound mail %s", mail.message_id)
        return quarantine(raw, reason=f"could not be filed: {_why(error)}", sender=sender)


@transaction.atomic
def _file(mail: InboundMail) -> InboundResult:
    case, refused_case = case_answered(mail)
    contact, _ = contact_get_or_create(email=mail.sender, name=mail.sender_name)
    if case is not None:
        message = case_customer_reply(
            case=case,
            contact=contact,
            body=mail.body,
            channel=Channel.EMAIL,
            uploads=mail.uploads,
            content_types=mail.content_types,
            message_id=mail.message_id,
        )
        # A closed case stays closed: the reply opened a follow-up case.
        action = "threaded" if message.case_id == case.pk else "created"
        case = message.case
    else:
        case = case_open(
            contact=contact,
            subject=mail.subject,
            body=mail.body,
            channel=Channel.EMAIL,
            uploads=mail.uploads,
            content_types=mail.content_types,
        )
        message = case.messages.get()
        message.message_id = mail.message_id
        message.save(update_fields=["message_id"])
        action = "created"
    if refused_case is not None:
        _note_stranger(refused_case, mail, filed_as=case)
    if mail.refused:
        _note_refused(case, mail)
    return InboundResult(action, case=case, message=message)


def _note_stranger(case: Case, mail: InboundMail, *, filed_as: Case) -> None:
    """Tell the agents of a case that someone not on it answered its mail, and where that
    mail went instead; nothing of it shows on the customer's page."""
    _desk_note(
        case,
        body=(
            f"An email from {mail.sender} answered this case's mail, but that address is not "
            f"on this case, so it was filed as {filed_as.reference} instead."
        ),
        detail=Said("mail_from_stranger", sender=mail.sender, reference=filed_as.reference),
    )


def _note_refused(case: Case, mail: InboundMail) -> None:
    """Tell the agents which attachments of the email were not kept, and why."""
    lines = "\n".join(f"- {reason}" for reason in mail.refused)
    _desk_note(
        case,
        body=f"Attachments of the email from {mail.sender} that were not kept:\n{lines}",
        detail=Said("attachments_refused", count=len(mail.refused)),
    )


def _desk_note(case: Case, *, body: str, detail: Said) -> None:
    """An internal note by the desk itself, on the case's timeline (agents only)."""
    case = case_lock(case)
    case.messages.create(is_internal=True, channel=Channel.EMAIL, body=body)
    case_record(case, actor=None, kind=CaseEvent.Kind.NOTE, detail=detail)
    case.save(update_fields=["version", "last_activity_at", "last_activity_by"])


def _duplicate(message_id: str) -> InboundResult | None:
    message = Message.objects.filter(message_id=message_id).select_related("case").first()
    if message is None:
        return None
    return InboundResult(
        "duplicate", case=message.case, message=message, reason="this email was already filed"
    )


def quarantine(raw: bytes, *, reason: str, sender: str = "", subject: str = "") -> InboundResult:
    logger.warning("Quarantined inbound mail from %r: %s", sender or "unknown sender", reason)
    quarantined = QuarantinedEmail.objects.create(
        raw=raw,
        reason=CONTROL_RE.sub("?", reason),
        sender=CONTROL_RE.sub("?", sender)[:320],
        subject=CONTROL_RE.sub("?", subject)[:300],
    )
    return InboundResult("quarantined", reason=reason, quarantined=quarantined)


def _why(error: Exception) -> str:
    if isinstance(error, Unreadable):
        return str(error)
    return f"could not be read ({type(error).__name__}: {error})"


def inbound_mail_received(sender, event, esp_name, **kwargs) -> InboundResult:
    """django-anymail's inbound signal: a provider's webhook delivered a message."""
    message = event.message
    try:
        raw = message.as_bytes()
    except Exception:
        raw = message.as_string().encode("utf-8", "surrogateescape")
    result = ingest(raw)
    logger.info("Inbound mail from %s by %s: %s", message.get("From"), esp_name, result)
    return result
