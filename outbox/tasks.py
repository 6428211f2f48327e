import logging

from celery import shared_task

from outbox import delivery

logger = logging.getLogger(__name__)


@shared_task
def send_outbound_email(email_id: int) -> None:
    """Send one outbox email: what versions before the relay queued after each commit.
    No retries of its own: a failure is recorded on the row, with the time of the next
    attempt, and the relay tries again (one budget per mail)."""
    try:
        delivery.email_deliver(email_id)
    except Exception:
        # A failed send is recorded on the row by email_deliver; the sweep takes it from
        # here. Anything else (the database gone) is logged, and the sweep finds it too.
        logger.warning("Outbox email %s was not sent; the sweep will retry it.", email_id)


# The relay: it sends what requests stored (they never talk to the broker themselves),
# and retries what failed when it is due. Beat runs it every two seconds.
@shared_task
def outbox_sweep() -> int:
    return delivery.outbox_sweep()
