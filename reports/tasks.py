from celery import shared_task

from reports.digest import digests_send
from reports.figures import report_prepare
from reports.rollup import rollup_refresh


@shared_task
def reports_refresh() -> int:
    """Take the cases changed since the last pass into the figures, then work out the
    reports opened without a filter (reports.figures.report_prepare)."""
    changed = rollup_refresh()
    report_prepare()
    return changed


@shared_task
def reports_digests() -> int:
    """Each manager's and team lead's weekly digest, on their Monday morning."""
    return digests_send()
