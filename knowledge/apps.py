from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """Articles, search and deflection."""

    name = "knowledge"

    def ready(self):
        from cases.signals import contact_form_sent
        from knowledge.visitors import case_submitted

        def suggestions_did_not_deflect(sender, *, request, case, **kwargs):
            case_submitted(request, case)

        contact_form_sent.connect(
            suggestions_did_not_deflect, weak=False, dispatch_uid="knowledge.contact_form_sent"
        )
