"""One retry policy for a mail, and "Retry now".

After a failed send the mail waits half as long as it has been failing (at least 30
seconds; so each wait is half as long again as the one before), never longer than
OUTBOX_RETRY_MAX_DELAY_SECONDS. Once the mail server is back, everything waiting goes
out within half as long as the outage lasted, and within that cap whatever its length.

A mail failing for OUTBOX_GIVE_UP_AFTER_HOURS is given up on (marked failed); so is, at
once, a mail the server refuses for good: a 5xx answer to its recipient (550 no such
user) or to its content. Everything else is retried: 4xx answers, a server that cannot
be reached or hangs up, and refusals of our own sender or login, which the operator can
put right (giving every mail up at once would lose it all).
"""

from datetime import UTC, datetime, timedelta
from smtplib import SMTPDataError, SMTPRecipientsRefused, SMTPResponseException

from anymail.exceptions import AnymailRecipientsRefused
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.log import Action, audit_record
from outbox.models import OutboundEmail

FIRST_DELAY = timedelta(seconds=30)


def max_delay() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_RETRY_MAX_DELAY_SECONDS)


def retry_delay(failing_for: timedelta) -> timedelta:
    """How long to wait after a failed send, for a mail failing for `failing_for`."""
    half = timedelta(seconds=int(failing_for.total_seconds()) // 2)
    return min(max(half, FIRST_DELAY), max_delay())


def gives_up(*, failing_since: datetime, now: datetime) -> bool:
    """Whether a send failing at `now` is the last: the mail has been failing long enough."""
    return now - failing_since >= timedelta(hours=settings.OUTBOX_GIVE_UP_AFTER_HOURS)


def refused_for_good(error: Exception) -> bool:
    """Whether the mail server (or the mail provider) refused this mail itself, for good."""
    if isinstance(error, SMTPRecipientsRefused):
        codes = [code for code, _answer in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, SMTPDataError):
        return 500 <= error.smtp_code < 600
    return isinstance(error, AnymailRecipientsRefused)


def error_text(error: Exception) -> str:
    """A failed send in a line, for the case page and admin: the server's own answer
    ("451 4.3.0 Try again later") where it gave one, else the kind of error."""
    if isinstance(error, SMTPRecipientsRefused) and error.recipients:
        answers = [_answer(code, said) for code, said in error.recipients.values()]
        text = "; ".join(answers)
    elif isinstance(error, SMTPResponseException):
        text = _answer(error.smtp_code, error.smtp_error)
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:2000]


def _answer(code: int, said: bytes | str) -> str:
    if isinstance(said, bytes):
        said = said.decode("utf-8", errors="replace")
    return " ".join(f"{code} {said}".split())


@transaction.atomic
def emails_retry_now(*, emails, request, where: str) -> int:
    """Have the relay send these mails on its next pass (within seconds): unsent ones with
    something to send, failed or waiting for their next attempt. A mail given up on gets
    its full time again. Each goes to the audit log, saying from `where`. A mail a sender
    holds right now is left to it (its claim is not lifted: it is never sent twice).
    Returns how many will be sent."""
    now = timezone.now()
    chosen = list(emails.retryable().select_related(None).select_for_update().order_by("pk"))
    for email in chosen:
        was = (
            f"given up on {email.failed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
            if email.failed_at
            else "waiting for its next attempt"
        )
        attempts = f"{email.attempts} attempt{'' if email.attempts == 1 else 's'}"
        changes = {"next_attempt_at": now, "failed_at": None}
        if email.failed_at:
            changes["failing_since"] = None
        OutboundEmail.objects.filter(pk=email.pk).update(**changes)
        audit_record(
            Action.MAIL_RETRIED,
            request=request,
            target=email,
            # By number and kind, in no reader's language; not by address, which is
            # personal data (the log outlives an erasure).
            label=f"Outbox email {email.pk} ({email.kind})",
            detail=f"Retry now, from {where}: it was {was}, after {attempts}.",
        )
    return len(chosen)
