from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from agents.models import Agent, BusinessCalendar, Holiday, Team, WorkingHours
        from cases.choices import desk_choices_forget
        from cases.guide import writing_help_forget
        from cases.models import (
            CannedAnswer,
            CannedAnswerVersion,
            Category,
            Phrase,
            SlaPolicy,
            SlaTarget,
        )
        from cases.sla.due import policies_forget

        kept = {
            # The desk's select lists name active agents, teams and categories.
            desk_choices_forget: (get_user_model(), Agent, Team, Category),
            # New cases and changes read the response-time policies with their calendars.
            policies_forget: (SlaPolicy, SlaTarget, BusinessCalendar, WorkingHours, Holiday),
            # Every workspace offers the canned answers and the phrase guide.
            writing_help_forget: (CannedAnswer, CannedAnswerVersion, Phrase),
        }
        for receiver, models in kept.items():
            for model in models:
                for signal in (post_save, post_delete):
                    signal.connect(
                        receiver,
                        sender=model,
                        dispatch_uid=(
                            f"{receiver.__module__}.{model._meta.label_lower}.{signal is post_save}"
                        ),
                    )
