from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """Articles, search and deflection (built in the knowledge-base issue)."""

    name = "knowledge"
