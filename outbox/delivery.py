"""The transactional outbox, second half: send a stored mail once, and the sweep that
relays what requests stored and retries what failed (the mail server was down, a
worker crashed mid-send).

One retry budget per mail: a failed send is recorded on the row with a growing delay
(`retry_delay`) and tried again by the sweep, until OUTBOX_MAX_ATTEMPTS; the task
itself never retries, so no second budget runs beside it.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboundEmail

logger = logging.getLogger(__name__)


# How long one sender may hold an email before another may try it: longer than one
# send can take (EMAIL_TIMEOUT bounds each step of it), short enough that mail held by
# a worker that crashed goes out within a minute or two.
def claim_for() -> timedelta:
    return timedelta(seconds=max(60, 4 * settings.EMAIL_TIMEOUT))


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


def email_deliver(email_id: int, *, connection=None) -> bool:
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
            next_attempt_at=now + retry_delay(email.attempts),
            failed_at=now if gave_up else None,
        )
        raise
    OutboundEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def outbox_sweep(*, batch: int = 100, seconds: float | None = None) -> int:
    """Send what is due in the outbox: new mail and retries. Returns how many.

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
                    sent += email_deliver(email_id, connection=connection)
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
