from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "Agents and teams"

    def ready(self):
        # At login: the session's start, and the second step it has to pass.
        from agents import sessions, two_factor  # noqa: F401
