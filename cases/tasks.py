from celery import shared_task

from cases import customer, staging
from cases.sla.tasks import sla_policy_changed, sla_sweep

__all__ = ["auto_close", "sla_policy_changed", "sla_sweep", "staged_sweep"]


@shared_task
def auto_close() -> int:
    return customer.auto_close()


@shared_task
def staged_sweep() -> int:
    return staging.staged_sweep()
