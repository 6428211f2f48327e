from celery import shared_task

from cases import customer
from cases.sla import due, sweep


@shared_task
def sla_sweep() -> int:
    return sweep.sweep()


@shared_task
def sla_policy_changed() -> int:
    return due.policy_changed()


@shared_task
def auto_close() -> int:
    return customer.auto_close()
