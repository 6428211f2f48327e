"""The reminder mail an agent receives when a response-time target is near or missed."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from agents.models import Agent
from cases.models import Reminder
from outbox.models import OutboundEmail
from outbox.store import email_render, message_id_new, site_url


def reminder_email_build(*, reminder: Reminder, agent: Agent, language: str) -> OutboundEmail:
    """An unsaved reminder email for an agent, in their language, with a link to the case.
    The sweep saves many at once and queues them with outbox.services.email_enqueue."""
    case = reminder.case
    context = {
        "case": case,
        "reminder": reminder,
        "agent": agent,
        "overdue": reminder.kind == Reminder.Kind.BREACH,
        "case_url": site_url(reverse("cases:detail", args=[case.reference])),
        "site_name": settings.SITE_NAME,
    }
    with translation.override(language):
        context["target"] = reminder.get_target_display()
        context["due"] = date_format(timezone.localtime(reminder.due_at), "j M H:i")
    subject, text, html = email_render(template="reminder", context=context, language=language)
    return OutboundEmail(
        case=case,
        kind=OutboundEmail.Kind.REMINDER,
        to=agent.user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id_header=message_id_new(),
    )
