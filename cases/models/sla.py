"""Response times: policies and their targets per priority, outcomes, reminders, notifications."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case, Category, Priority


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_REPLY = "next_reply", _("Next reply")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Response-time promises. The most specific policy applies: organization, category, default."""

    class Escalation(models.TextChoices):
        NONE = "none", _("Only notify")
        RAISE_PRIORITY = "raise_priority", _("Raise the priority one step")
        MOVE_TEAM = "move_team", _("Move to the escalation team")

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(
        default=False, help_text="Applies where nothing more specific does."
    )
    organization = models.ForeignKey(
        "contacts.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    calendar = models.ForeignKey(
        "agents.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Targets count this calendar's working time; empty counts wall-clock time.",
    )
    warning_minutes = models.PositiveIntegerField(
        default=30, help_text="How long before a target the assignee is warned."
    )
    escalation = models.CharField(
        max_length=20, choices=Escalation.choices, default=Escalation.RAISE_PRIORITY
    )
    escalation_team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_sla_policy"
            )
        ]

    def __str__(self):
        return self.name


class SlaTarget(models.Model):
    """A policy's targets for one priority, in minutes of the policy's calendar."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_reply_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["policy", "-priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority"], name="sla_target_unique_priority"
            )
        ]

    def __str__(self):
        return f"{self.policy}: {self.get_priority_display()}"

    def minutes(self, target: str) -> int | None:
        return getattr(self, f"{target}_minutes")


class SlaOutcome(models.Model):
    """A target met or missed, and by how much (positive seconds: early; negative: late)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_outcomes")
    target = models.CharField(max_length=20, choices=Target.choices)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField()
    met = models.BooleanField()
    margin_seconds = models.IntegerField()

    class Meta:
        ordering = ["done_at"]
        # The reports sum each day's outcomes.
        indexes = [models.Index(fields=["done_at"], name="sla_outcome_done_idx")]
        constraints = [
            models.UniqueConstraint(fields=["case", "target", "due_at"], name="sla_outcome_unique")
        ]

    def __str__(self):
        return f"{self.case_id} {self.target} {'met' if self.met else 'missed'}"


class Reminder(models.Model):
    """A warning before a target or a notice at its breach: recorded once per due time."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Due soon")
        BREACH = "breach", _("Overdue")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(max_length=20, choices=Target.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two sweeps, a redelivered task or a rerun after a crash never remind twice.
            models.UniqueConstraint(
                fields=["case", "kind", "target", "due_at"], name="reminder_once_per_due_time"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_target_display()} of case {self.case_id}"

    @property
    def is_pending(self) -> bool:
        """Whether the promise it reminds of is still open: the case still owes this target
        at this due time (not answered, resolved or moved since)."""
        due_field = f"{self.target}_due"
        return self.case.is_open and getattr(self.case, due_field) == self.due_at


class Notification(models.Model):
    """Something an agent should know about a case, on their desk: a response-time
    reminder, a customer's message, a case assigned or escalated to them, a mention."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        CUSTOMER_WROTE = "customer_wrote", _("Customer wrote")
        ASSIGNED = "assigned", _("Assigned to you")
        ESCALATED = "escalated", _("Escalated to you")
        MENTIONED = "mentioned", _("Mentioned in a note")

    agent = models.ForeignKey(
        "agents.Agent", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REMINDER)
    case = models.ForeignKey(
        Case, null=True, on_delete=models.CASCADE, related_name="notifications"
    )
    reminder = models.ForeignKey(
        Reminder, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agent", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["case", "agent", "read_at"], name="notification_case_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agent", "reminder"], name="notification_once")
        ]

    def __str__(self):
        return f"{self.agent}: {self.get_kind_display()} ({self.case_id})"
