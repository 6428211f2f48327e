from celery import shared_task

from api import webhooks


@shared_task
def webhooks_sweep() -> int:
    """Hand each due delivery to the worker as a task of its own."""
    due = webhooks.deliveries_claim()
    for pk in due:
        try:
            webhook_deliver.delay(pk)
        except Exception:  # the broker is down: the claims run out, a later sweep retries
            break
    return len(due)


@shared_task
def webhook_deliver(pk: int):
    return webhooks.delivery_attempt(pk)
