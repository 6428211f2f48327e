"""Every beat entry names a task a worker knows: a typo would schedule nothing, silently."""

from django.conf import settings

from helpdesk.celery import app


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "reports.tasks.reports_refresh" in names
    assert "reports.tasks.reports_digests" in names
    missing = [name for name in names if name not in app.tasks]
    assert missing == []
