from celery import shared_task

from cases import customer, personal_data, staging
from cases.sla.tasks import sla_policy_changed, sla_sweep

__all__ = ["auto_close", "retention_erase", "sla_policy_changed", "sla_sweep", "staged_sweep"]


@shared_task
def auto_close() -> int:
    return customer.auto_close()


@shared_task
def staged_sweep() -> int:
    return staging.staged_sweep()


@shared_task
def retention_erase() -> int:
    return len(personal_data.retention_erase())
