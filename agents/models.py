"""Who works the desk: teams, agents (the desk profile of a user) and business calendars.

The tables keep the names they had when these models lived in `helpdesk`.
"""

import zoneinfo

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def language_codes(languages: str) -> list[str]:
    """The codes of an agent's languages as stored ("en,fr"), in the agent's order."""
    return [code for code in languages.split(",") if code]


def validate_languages(languages: str) -> None:
    """Codes of the desk's languages (settings.LANGUAGES), each once, joined by commas."""
    codes = language_codes(languages)
    known = dict(settings.LANGUAGES)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(
            _("Not a language of the desk: %(codes)s. Choose among %(known)s."),
            params={"codes": ", ".join(unknown), "known": ", ".join(known)},
        )
    if len(set(codes)) != len(codes) or ",".join(codes) != languages:
        raise ValidationError(_("Write each language once, as codes joined by commas: en,fr."))


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(f"“{name}” is not a time zone; use a name such as Europe/Paris.")


class TeamQuerySet(models.QuerySet):
    def default(self):
        """The team for cases without a category: the flagged one, else the oldest."""
        return self.order_by("-is_default", "pk").first()


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    lead = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        help_text="Receives reminders and escalations when an assignee is away.",
    )
    is_default = models.BooleanField(
        default=False, help_text="Receives cases that have no category (one team at most)."
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        db_table = "helpdesk_team"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_team"
            )
        ]

    def __str__(self):
        return self.name


class AgentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True)

    def available(self, at=None):
        """Active agents who are not away at the given moment."""
        at = at or timezone.now()
        return self.active().filter(Q(away_until__isnull=True) | Q(away_until__lte=at))


class Agent(models.Model):
    """The desk profile of a user. An agent who leaves is deactivated, never deleted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agent"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="agents"
    )
    away_until = models.DateTimeField(
        null=True, blank=True, help_text="While set and in the future, new cases go to the backup."
    )
    backup = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backing_up",
        help_text="Takes this agent's contacts while they are away.",
    )
    # Codes of settings.LANGUAGES joined by commas ("en,fr"), first the one the agent
    # prefers to be written to; edited as checkboxes (agents.languages.LanguagesField).
    languages = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_languages],
        help_text=_(
            "The languages the agent writes in: a contact without an owner goes first to an "
            "agent who speaks their language."
        ),
    )
    desk_language = models.CharField(
        _("desk language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the desk for this agent. Empty: the browser's."),
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Where the agent works, e.g. Europe/Paris (the weekly digest comes on their "
        "Monday morning). Empty: the desk's time zone.",
    )
    notify_by_mail = models.BooleanField(
        default=False,
        help_text="Also mail this agent what the desk tells them: customer messages, cases "
        "assigned or escalated to them, mentions (reminders are always mailed).",
    )
    # "Log out everywhere": sessions begun before this are over (agents.sessions).
    sessions_valid_from = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AgentQuerySet.as_manager()

    class Meta:
        db_table = "helpdesk_agent"
        ordering = ["user__first_name", "user__username"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def first_name(self) -> str:
        return self.user.first_name or self.user.username

    def is_away(self, at=None) -> bool:
        at = at or timezone.now()
        return self.away_until is not None and self.away_until > at

    def is_available(self, at=None) -> bool:
        return self.user.is_active and not self.is_away(at)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The agent's time zone (the desk's when unset or unknown)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (ValueError, KeyError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def language_codes(self) -> list[str]:
        return language_codes(self.languages)

    def speaks(self, language: str) -> bool:
        return language in self.language_codes

    @property
    def mail_language(self) -> str:
        """The agent's desk language, else the first of their languages the desk writes
        in, else the desk's own."""
        codes = dict(settings.LANGUAGES)
        if self.desk_language in codes:
            return self.desk_language
        for code in self.languages.replace(" ", "").split(","):
            if code in codes:
                return code
        return settings.LANGUAGE_CODE


class BusinessCalendar(models.Model):
    """When the desk works: a time zone, weekly hours and holidays. Targets count this time."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="An IANA name such as Europe/Paris.",
    )

    class Meta:
        db_table = "helpdesk_businesscalendar"
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkingHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        db_table = "helpdesk_workinghours"
        ordering = ["weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="hours_end_after_start"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "helpdesk_holiday"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")
        ]

    def __str__(self):
        return f"{self.date} {self.name}"


class UserSession(AbstractBaseSession):
    """A browser's session, as Django keeps it, with the user it is signed in as.

    The user is a column (Django keeps it only inside the signed data) so that the
    session, its user and their desk profile are read in one query on every request
    (cases.auth.SessionStore), and a user's sessions go with the user."""

    # No constraint in the database, as Django's own table has none: a session saved for
    # a user deleted a moment before still saves (it reads as signed out), rather than
    # failing the request it ends. Deleting a user through the ORM deletes their sessions.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "agents_session"

    @classmethod
    def get_session_store_class(cls):
        """For get_decoded(): every database store decodes the same way."""
        return db.SessionStore
