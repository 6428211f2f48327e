from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = "Health"

    def ready(self):
        from health import heartbeat
        from helpdesk.lib import logs

        # One log line per task, in the worker (and in tests, where tasks run eagerly).
        logs.connect_task_log()
        # Beat and the worker record their heartbeat (health/heartbeat.py).
        heartbeat.connect_signals()
