from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """Articles, search and deflection."""

    name = "knowledge"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from cases.signals import contact_form_sent
        from knowledge.case_suggestions import articles_changed, case_suggestions_forget
        from knowledge.models import Article, ArticleUse
        from knowledge.visitors import case_submitted

        def article_changed(sender, **kwargs):
            articles_changed()

        post_save.connect(article_changed, sender=Article, dispatch_uid="knowledge.saved")
        post_delete.connect(article_changed, sender=Article, dispatch_uid="knowledge.deleted")

        def use_changed(sender, instance, **kwargs):
            case_suggestions_forget(instance.case_id)

        post_save.connect(use_changed, sender=ArticleUse, dispatch_uid="knowledge.use_saved")
        post_delete.connect(use_changed, sender=ArticleUse, dispatch_uid="knowledge.use_deleted")

        def suggestions_did_not_deflect(sender, *, request, case, **kwargs):
            case_submitted(request, case)

        contact_form_sent.connect(
            suggestions_did_not_deflect, weak=False, dispatch_uid="knowledge.contact_form_sent"
        )
