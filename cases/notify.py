"""Telling agents what changed on their cases, on the desk: a customer's message, a case
assigned or escalated to them, a colleague's note that mentions them (@username).

Response-time reminders are notifications too; the sweep makes those (cases.sla).
Nobody is told of what they did themselves.
"""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from agents.models import Agent
from cases.models import Case, Notification
from outbox.models import OutboundEmail
from outbox.store import email_store, site_url

MAX_MENTIONS = 20
MENTION_RE = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def agents_notify(*, case: Case, kind: str, agents, detail: str = "", actor=None) -> int:
    """One notification per agent (skipping the one who acted and anyone who has left)."""
    unique = {
        agent.pk: agent
        for agent in agents
        if agent is not None
        and agent.user.is_active
        and agent.user_id != getattr(actor, "pk", None)
    }
    Notification.objects.bulk_create(
        Notification(agent=agent, case=case, kind=kind, detail=detail[:300])
        for agent in unique.values()
    )
    for agent in unique.values():
        if agent.notify_by_mail and agent.user.email:
            _mail(agent=agent, case=case, kind=kind, detail=detail)
    return len(unique)


def _mail(*, agent: Agent, case: Case, kind: str, detail: str) -> None:
    """The same news by mail, for an agent who asked for it (Agent.notify_by_mail)."""
    with translation.override(agent.mail_language):
        what = str(Notification.Kind(kind).label)
    email_store(
        case=case,
        kind=OutboundEmail.Kind.NOTIFICATION,
        to=agent.user.email,
        template="notification",
        language=agent.mail_language,
        context={
            "agent": agent,
            "case": case,
            "what": what,
            "detail": detail,
            "case_url": site_url(reverse("cases:detail", args=[case.reference])),
            "site_name": settings.SITE_NAME,
        },
    )


def mentioned_agents(text: str):
    """The agents a note names as @username."""
    # A note names a few colleagues; a flood of @words must not become a huge query.
    names = {name.rstrip(".") for name in MENTION_RE.findall(text)[:MAX_MENTIONS]}
    if not names:
        return Agent.objects.none()
    return Agent.objects.filter(user__username__in=names).select_related("user")


def case_seen(*, case: Case, agent: Agent) -> int:
    """The agent opened the case: what told them of it is read. Returns how many."""
    return (
        Notification.objects.filter(case=case, agent=agent, read_at__isnull=True)
        .exclude(kind=Notification.Kind.REMINDER)
        .update(read_at=timezone.now())
    )
