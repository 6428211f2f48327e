"""The transactional outbox, second half: send a stored mail once, and the sweep that
relays what requests stored and retries what failed (the mail server was down, a
worker crashed mid-send).

One retry policy per mail (outbox.retry): a failed send is recorded on the row with the
time of its next attempt, and the sweep tries again then, until the mail has been failing
for OUTBOX_GIVE_UP_AFTER_HOURS or was refused for good; the task itself never retries,
so no second budget runs beside it.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from outbox import retry
from outbox.models import OutboundEmail

logger = logging.getLogger(__name__)


# How long one sender may hold an email before another may try it: longer than one
# send can take (EMAIL_TIMEOUT bounds each step of it), short enough that mail held by
# a worker that crashed goes out within a minute or two.
def claim_for() -> timedelta:
    return timedelta(seconds=max(60, 4 * settings.EMAIL_TIMEOUT))


def email_deliver(email_id: int, *, connection=None) -> bool:
    """Send one outbox email unless it was sent or someone else is sending it now.

    Returns whether this call sent it. A failure is recorded on the row (the server's
    answer, when to try again, or that it is given up on) and re-raised. A sweep passes
    one open mail connection for all it sends.
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
    try:
        # Built here too: an attachment whose file cannot be read fails the send like a
        # mail server would, recorded and retried, instead of leaving the mail unseen.
        _message(email, connection).send()
    except Exception as error:
        failed = timezone.now()
        failing_since = email.failing_since or failed
        gave_up = retry.refused_for_good(error) or retry.gives_up(
            failing_since=failing_since, now=failed
        )
        said = retry.error_text(error)
        next_attempt_at = failed + retry.retry_delay(failed - failing_since)
        OutboundEmail.objects.filter(pk=email_id).update(
            claimed_until=None,
            last_error=said,
            failing_since=failing_since,
            next_attempt_at=next_attempt_at,
            failed_at=failed if gave_up else None,
        )
        if gave_up:
            logger.error("Outbox email %s is given up on: %s", email_id, said)
        else:
            logger.warning(
                "Outbox email %s was not sent (%s); next attempt at %s.",
                email_id,
                said,
                next_attempt_at.isoformat(timespec="seconds"),
            )
        raise
    OutboundEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def _message(email: OutboundEmail, connection) -> EmailMultiAlternatives:
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
    return message


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
    # Opened once there is something to send: a pass every two seconds that finds
    # nothing does not call on the mail server.
    connection = None
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
            if connection is None:
                connection = _open(get_connection())
            for email_id in due:
                tried.add(email_id)
                try:
                    sent += email_deliver(email_id, connection=connection)
                except Exception:
                    # Recorded on the row and logged by email_deliver. The connection
                    # may be broken: start the next send on a new one.
                    connection.close()
                    _open(connection)
                if time.monotonic() - started >= seconds:
                    break
    finally:
        if connection is not None:
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
