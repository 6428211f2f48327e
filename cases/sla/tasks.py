from celery import shared_task

from cases.sla import due, reminders


# Named as when they lived in cases.tasks, which still imports them for Celery to find:
# a task queued before an upgrade keeps its name.
@shared_task(name="cases.tasks.sla_sweep")
def sla_sweep() -> int:
    return reminders.sweep()


@shared_task(name="cases.tasks.sla_policy_changed")
def sla_policy_changed() -> int:
    return due.policy_changed()
