from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from agents.models import Agent, Team
        from cases.choices import desk_choices_forget
        from cases.models import Category

        # The desk's select lists name active agents, teams and categories.
        for model in (get_user_model(), Agent, Team, Category):
            for signal in (post_save, post_delete):
                signal.connect(
                    desk_choices_forget,
                    sender=model,
                    dispatch_uid=f"cases.choices.{model._meta.label_lower}.{signal is post_save}",
                )
