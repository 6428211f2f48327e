"""The changes that become webhook events, heard as they are saved (in the change's own
transaction): a case opened, assigned, its status changed or resolved, a message
written, a rating given, a response time due soon or overdue, a contact erased."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.models import WebhookEndpoint
from api.webhooks import ENDPOINTS_KEY, webhook_emit
from cases.models import Case, CaseEvent, CaseRating, Message, Status
from cases.signals import contact_erased, reminders_made
from helpdesk.lib.kept import kept_drop


@receiver([post_save, post_delete], sender=WebhookEndpoint, dispatch_uid="webhook-endpoints")
def endpoints_changed(sender, **kwargs):
    kept_drop(ENDPOINTS_KEY)


@receiver(post_save, sender=Case, dispatch_uid="webhook-case-created")
def case_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        webhook_emit(
            "case.created",
            lambda: {
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
            lambda: {
                "id": instance.pk,
                "case": instance.case.reference,
                "from": message_from(instance),
                "author": instance.author_label or None,
                "internal": instance.is_internal,
                "channel": instance.channel,
                "body": instance.body,
                "created_at": instance.created_at,
            },
            internal=instance.is_internal,
        )


def message_from(message: Message) -> str:
    if message.author_agent_id:
        return "agent"
    if message.author_contact_id:
        return "customer"
    return "integration" if message.author_label else "desk"


@receiver(post_save, sender=CaseEvent, dispatch_uid="webhook-case-event")
def case_changed(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    case = instance.case
    if instance.kind == CaseEvent.Kind.ASSIGNED:
        webhook_emit(
            "case.assigned",
            lambda: {
                "reference": case.reference,
                "assignee": case.assignee_id,
                "assignee_name": case.assignee.name if case.assignee_id else None,
                "team": case.team_id,
            },
        )
    elif instance.kind == CaseEvent.Kind.STATUS:
        webhook_emit(
            "case.status_changed",
            lambda: {"reference": case.reference, "status": case.status, "detail": instance.detail},
        )
        if case.status == Status.RESOLVED:
            webhook_emit("case.resolved", lambda: {"reference": case.reference})


@receiver(post_save, sender=CaseRating, dispatch_uid="webhook-rating-created")
def rating_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        webhook_emit(
            "rating.created",
            lambda: {
                "case": instance.case.reference,
                "score": instance.score,
                "recommend": instance.recommend,
                "comment": instance.comment,
            },
        )


@receiver(contact_erased, dispatch_uid="webhook-contact-erased")
def contact_was_erased(sender, contact_id, **kwargs):
    webhook_emit("contact.erased", lambda: {"contact": contact_id})


@receiver(reminders_made, dispatch_uid="webhook-reminders")
def response_times(sender, reminders, **kwargs):
    for reminder in reminders:
        event = "sla.breached" if reminder.kind == "breach" else "sla.warning"
        webhook_emit(
            event,
            lambda reminder=reminder: {
                "reference": reminder.case.reference,
                "target": reminder.target,
                "due_at": reminder.due_at,
            },
        )
