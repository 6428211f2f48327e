from celery import shared_task

from cases import customer, personal_data, staging
from cases.auth import SessionStore
from cases.sla.tasks import sla_policy_changed, sla_sweep

__all__ = [
    "auto_close",
    "retention_erase",
    "sessions_expired_delete",
    "sla_policy_changed",
    "sla_sweep",
    "staged_sweep",
]


@shared_task
def auto_close() -> int:
    return customer.auto_close()


@shared_task
def staged_sweep() -> int:
    return staging.staged_sweep()


@shared_task
def retention_erase() -> int:
    return len(personal_data.retention_erase())


@shared_task
def sessions_expired_delete() -> None:
    """Sessions past their expiry are never read again (cases.auth): their rows go."""
    SessionStore.clear_expired()
