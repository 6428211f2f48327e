from celery import shared_task
from django.conf import settings

from inbox import imap


@shared_task
def poll_mailbox() -> int:
    """File the mail waiting in the desk's IMAP mailbox; nothing to do without IMAP_HOST."""
    if not settings.IMAP_HOST:
        return 0
    return len(imap.poll_mailbox())
