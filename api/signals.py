"""The changes that become webhook events, heard as they are saved (in the change's own
transaction): a case opened, a message written."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.models import WebhookEndpoint
from api.webhooks import ENDPOINTS_KEY, webhook_emit
from cases.models import Case, Message
from helpdesk.lib.kept import kept_drop


@receiver([post_save, post_delete], sender=WebhookEndpoint, dispatch_uid="webhook-endpoints")
def endpoints_changed(sender, **kwargs):
    kept_drop(ENDPOINTS_KEY)


@receiver(post_save, sender=Case, dispatch_uid="webhook-case-created")
def case_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        webhook_emit(
            "case.created",
            {
                "reference": instance.reference,
                "subject": instance.subject,
                "status": instance.status,
                "priority": instance.priority,
                "channel": instance.channel,
                "contact": instance.contact_id,
                "assignee": instance.assignee_id,
                "team": instance.team_id,
                "created_at": instance.created_at,
            },
        )


@receiver(post_save, sender=Message, dispatch_uid="webhook-message-created")
def message_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        webhook_emit(
            "message.created",
            {
                "id": instance.pk,
                "case": instance.case.reference,
                "from": "agent" if instance.author_agent_id else "customer",
                "internal": instance.is_internal,
                "channel": instance.channel,
                "body": instance.body,
                "created_at": instance.created_at,
            },
            internal=instance.is_internal,
        )
