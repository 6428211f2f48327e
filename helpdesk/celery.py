import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def check_at_worker_start(**kwargs) -> None:
    """Warn loudly when the broker's Redis may evict queued tasks (helpdesk.checks)."""
    # Imported here: this module is imported with the helpdesk package, before Django is set up.
    from helpdesk.checks import at_worker_start

    at_worker_start()


@beat_init.connect
def check_at_beat_start(**kwargs) -> None:
    """Beat publishes every scheduled task to the same Redis: the same warning."""
    from helpdesk.checks import at_worker_start

    at_worker_start()
