from smtplib import SMTPException

from celery import shared_task


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=8)
def send_outbound_email(email_id: int) -> None:
    from cases.outbound import outbound_deliver

    outbound_deliver(email_id)


@shared_task
def outbox_sweep() -> int:
    from cases import outbound

    return outbound.outbox_sweep()


@shared_task
def sla_sweep() -> int:
    from cases import sla

    return sla.sweep()


@shared_task
def sla_policy_changed() -> int:
    from cases import sla

    return sla.policy_changed()


@shared_task
def auto_close() -> int:
    from cases import portal

    return portal.auto_close()


@shared_task
def poll_mailbox() -> int:
    """File the mail waiting in the desk's IMAP mailbox; nothing to do without IMAP_HOST."""
    from django.conf import settings

    if not settings.IMAP_HOST:
        return 0
    from cases import imap

    return len(imap.poll_mailbox())
