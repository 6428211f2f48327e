from celery import shared_task

from reports.rollup import rollup_refresh


@shared_task
def reports_refresh() -> int:
    """Take the cases changed since the last pass into the figures."""
    return rollup_refresh()
