"""The weekly digest: on Monday morning, in their own time zone and language, each manager
(and each team lead, for their teams) gets last week's headline figures and a link."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from agents.models import Agent
from outbox.models import OutboundEmail
from outbox.store import email_enqueue, email_render, message_id_new, site_url
from reports.figures import Period, Scope, report_build
from reports.headlines import headlines_of
from reports.models import DigestSent

# Sent from this hour of the recipient's Monday on (an hourly pass, so within the hour).
DIGEST_HOUR = 8
# The page's headlines the digest carries, in the page's words and order.
DIGEST_FIGURES = {
    "created",
    "solved",
    "response",
    "resolution",
    "compliance",
    "satisfaction",
    "owner",
}


def digest_recipients():
    """Active managers and team leads with an email address."""
    return (
        Agent.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .filter(Q(user__is_staff=True) | Q(led_teams__isnull=False))
        .select_related("user")
        .prefetch_related("led_teams")
        .distinct()
    )


def week_due(agent: Agent, now: datetime) -> Period | None:
    """Last week (Monday to Sunday) if it is the agent's Monday morning or later that
    Monday, else None."""
    local = now.astimezone(agent.zone)
    if local.weekday() != 0 or local.hour < DIGEST_HOUR:
        return None
    monday = local.date() - timedelta(days=7)
    return Period(monday, monday + timedelta(days=6))


def digests_send(now: datetime | None = None) -> int:
    """Store a digest for each recipient whose Monday morning it is and who has not had
    this week's. Returns how many were stored."""
    now = now or timezone.now()
    sent = 0
    for agent in digest_recipients():
        week = week_due(agent, now)
        if week is None or DigestSent.objects.filter(agent=agent, week=week.first).exists():
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(agent=agent, week=week.first)
                email = digest_build(agent, week, now=now)
                email.save()
                email_enqueue(email)
        except IntegrityError:
            continue  # another pass sent it a moment ago
        sent += 1
    return sent


def digest_build(agent: Agent, week: Period, *, now: datetime) -> OutboundEmail:
    """An unsaved digest mail for the agent: all teams for a manager, else the teams they
    lead."""
    teams = None if agent.user.is_staff else tuple(team.pk for team in agent.led_teams.all())
    report = report_build(week, Scope(teams=teams), now=now)
    language = agent.mail_language
    link = site_url(
        reverse("reports:page")
        + f"?period=custom&start={week.first.isoformat()}&end={week.last.isoformat()}"
    )
    with translation.override(language):
        figures = [
            (headline["name"], headline["value"], headline["previous"])
            for headline in headlines_of(report)
            if headline["key"] in DIGEST_FIGURES
        ]
        context = {
            "agent": agent,
            "figures": figures,
            "open": report.backlog["total"],
            "overdue": report.backlog["overdue"],
            "first": date_format(week.first, "j F"),
            "last": date_format(week.last, "j F Y"),
            "link": link,
            "site_name": settings.SITE_NAME,
            "teams": ", ".join(team.name for team in agent.led_teams.all()) if teams else "",
        }
    subject, text, html = email_render(template="digest", context=context, language=language)
    return OutboundEmail(
        kind=OutboundEmail.Kind.DIGEST,
        to=agent.user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id_header=message_id_new(),
    )
