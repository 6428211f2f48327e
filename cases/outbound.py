"""Outbound mail through the transactional outbox (see OutboundEmail)."""

import logging
import time
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from cases.models import Case, Message, OutboundEmail, Reminder
from contacts.models import Contact
from helpdesk.models import Agent

logger = logging.getLogger(__name__)


# How long one sender may hold an email before another may try it: longer than one
# send can take (EMAIL_TIMEOUT bounds each step of it), short enough that mail held by
# a worker that crashed goes out within a minute or two.
def claim_for() -> timedelta:
    return timedelta(seconds=max(60, 4 * settings.EMAIL_TIMEOUT))


def access_link_create(*, case: Case) -> str:
    from cases.portal import access_link_create as create

    return create(case=case)


def site_url(path: str) -> str:
    """An absolute link for mail, from SITE_URL, never from a request's Host header."""
    return settings.SITE_URL + path


def _message_id() -> str:
    return make_msgid(domain=settings.HELPDESK_EMAIL.rpartition("@")[2] or "helpdesk.localhost")


def email_render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of an email template, in the given language."""
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        text = render_to_string(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    return " ".join(subject.split()), text, html


def outbound_enqueue(email: OutboundEmail) -> None:
    """Queue the sending task once the transaction that stored the email commits."""
    transaction.on_commit(lambda: outbound_publish(email.pk))


def outbound_publish(email_id: int) -> None:
    from cases.tasks import send_outbound_email

    try:
        send_outbound_email.delay(email_id)
    except Exception:
        # The broker is down or slow. The email is safe in the outbox and the
        # beat sweep sends it; the customer's request must not fail for this.
        logger.warning(
            "Could not queue outbound email %s; the outbox sweep will send it.", email_id
        )


@transaction.atomic
def _customer_email(
    *, case: Case, template: str, kind: str, context: dict, message: Message | None = None
) -> OutboundEmail:
    """Store an email to the case's contact, in their language, with a private link to the
    case page, and queue it. Mail that carries an agent's message is not automatic."""
    contact = case.contact
    context = {
        "case": case,
        "contact": contact,
        "first_name": contact.first_name,
        "site_name": settings.SITE_NAME,
        **context,
    }
    context.setdefault("case_url", access_link_create(case=case))
    subject, text, html = email_render(
        template=template, context=context, language=contact.language
    )
    email = OutboundEmail.objects.create(
        case=case,
        message=message,
        kind=kind,
        to=contact.email,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id_header=_message_id(),
        auto_generated=message is None,
    )
    if message is not None:
        message.message_id = email.message_id_header
        message.save(update_fields=["message_id"])
    outbound_enqueue(email)
    return email


def case_acknowledge(*, case: Case) -> OutboundEmail:
    """The acknowledgement of a new case: the reference and who owns it."""
    return _customer_email(
        case=case,
        template="case_ack",
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        context={"assignee": case.assignee},
    )


def case_reply_email(*, message: Message) -> OutboundEmail:
    """An agent's reply, mailed to the contact."""
    return _customer_email(
        case=message.case,
        template="case_reply",
        kind=OutboundEmail.Kind.REPLY,
        context={"message": message, "agent": message.author_agent},
        message=message,
    )


def case_waiting_email(*, case: Case) -> OutboundEmail:
    """Tell the customer the case waits on them."""
    return _customer_email(
        case=case, template="case_waiting", kind=OutboundEmail.Kind.WAITING, context={}
    )


def case_resolved_email(*, case: Case) -> OutboundEmail:
    """Ask whether there is anything else, with links to rate the help from 1 to 5.

    The links only open the case page with a rating chosen; saving it takes a POST,
    so a mail scanner following every link changes nothing.
    """
    link = access_link_create(case=case)
    return _customer_email(
        case=case,
        template="case_resolved",
        kind=OutboundEmail.Kind.RESOLVED,
        context={
            "case_url": link,
            "ratings": [(score, f"{link}?rating={score}") for score in range(5, 0, -1)],
        },
    )


@transaction.atomic
def case_links_email(*, contact: Contact, cases: list[Case]) -> OutboundEmail:
    """Fresh links to a contact's recent cases, asked for at /c/."""
    context = {
        "contact": contact,
        "first_name": contact.first_name,
        "site_name": settings.SITE_NAME,
        "links": [(case, access_link_create(case=case)) for case in cases],
    }
    subject, text, html = email_render(
        template="case_links", context=context, language=contact.language
    )
    email = OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.LINKS,
        to=contact.email,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id_header=_message_id(),
    )
    outbound_enqueue(email)
    return email


def reminder_email_build(*, reminder: Reminder, agent: Agent, language: str) -> OutboundEmail:
    """An unsaved reminder email for an agent, in their language, with a link to the case.
    The sweep saves many at once and queues them with outbound_enqueue."""
    case = reminder.case
    context = {
        "case": case,
        "reminder": reminder,
        "agent": agent,
        "overdue": reminder.kind == Reminder.Kind.BREACH,
        "case_url": site_url(reverse("cases:detail", args=[case.reference])),
        "site_name": settings.SITE_NAME,
    }
    with translation.override(language):
        context["target"] = reminder.get_target_display()
        context["due"] = date_format(timezone.localtime(reminder.due_at), "j M H:i")
    subject, text, html = email_render(template="reminder", context=context, language=language)
    return OutboundEmail(
        case=case,
        kind=OutboundEmail.Kind.REMINDER,
        to=agent.user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id_header=_message_id(),
    )


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


def outbound_deliver(email_id: int, *, connection=None) -> bool:
    """Send one outbox email unless it was sent or someone else is sending it now.

    Returns whether this call sent it. A failure is recorded and re-raised so the
    task can retry; after OUTBOX_MAX_ATTEMPTS the email is marked failed. A sweep
    passes one open mail connection for all it sends.
    """
    now = timezone.now()
    claimed = (
        OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + claim_for(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.select_related("message").get(pk=email_id)
    headers = {"Message-ID": email.message_id_header}
    if email.auto_generated:
        headers["Auto-Submitted"] = "auto-generated"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[settings.HELPDESK_EMAIL],
        headers=headers,
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.message_id:
        for attachment in email.message.attachments.all():
            with attachment.file.open("rb") as file:
                message.attach(attachment.name, file.read(), attachment.content_type)
    try:
        message.send()
    except Exception as error:
        gave_up = email.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email_id).update(
            claimed_until=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=now + _retry_delay(email.attempts),
            failed_at=now if gave_up else None,
        )
        raise
    OutboundEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def outbox_sweep(*, batch: int = 100, seconds: float | None = None) -> int:
    """Send what is due in the outbox and was not sent by its own task. Returns how many.

    Goes on batch after batch, over one mail connection, until nothing is due or
    OUTBOX_SWEEP_SECONDS have passed (less than the beat's minute, so sweeps do not
    pile up): after an outage, a backlog of a thousand mails goes out in one sweep
    rather than a hundred a minute.
    """
    seconds = settings.OUTBOX_SWEEP_SECONDS if seconds is None else seconds
    started = time.monotonic()
    tried: set[int] = set()
    sent = 0
    connection = _open(get_connection())
    try:
        while time.monotonic() - started < seconds:
            now = timezone.now()
            due = list(
                OutboundEmail.objects.filter(
                    sent_at__isnull=True,
                    failed_at__isnull=True,
                    next_attempt_at__lte=now,
                    created_at__lte=now - settings.OUTBOX_GRACE,
                )
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
                .exclude(pk__in=tried)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not due:
                break
            for email_id in due:
                tried.add(email_id)
                try:
                    sent += outbound_deliver(email_id, connection=connection)
                except Exception:
                    logger.warning("Outbox email %s failed again; it will be retried.", email_id)
                    # The connection may be broken: start the next send on a new one.
                    connection.close()
                    _open(connection)
                if time.monotonic() - started >= seconds:
                    break
    finally:
        connection.close()
    return sent


def _open(connection):
    """Open a mail connection to keep for many sends (each send would otherwise open and
    close its own); if the server cannot be reached, each send tries again by itself."""
    try:
        connection.open()
    except Exception as error:
        logger.warning("Could not connect to the mail server: %s", error)
    return connection
