from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Desk"

    def ready(self):
        from helpdesk import checks

        checks.warn_at_start()
