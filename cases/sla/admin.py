"""The response-time side of the admin: SLA policies with their targets, outcomes,
reminders and notifications; and due times recomputed when a policy or calendar changes."""

import logging
import re

from django import forms
from django.contrib import admin
from django.db import transaction

from agents import admin as agents_admin
from agents.models import BusinessCalendar
from audit.admin import AuditedModelAdmin, ReadOnlyAdmin
from cases.models import Notification, Reminder, SlaOutcome, SlaPolicy, SlaTarget
from cases.sla import due
from cases.sla.tasks import sla_policy_changed

logger = logging.getLogger(__name__)


def recompute_due_times() -> None:
    """After a policy or calendar changes, open cases' due times follow (in the worker)."""

    def publish():
        try:
            sla_policy_changed.delay()
        except Exception:
            # No broker: do it now rather than leave stale due times.
            logger.warning("Could not queue the due-time recompute; running it in the request.")
            due.policy_changed()

    transaction.on_commit(publish)


class DurationInput(forms.TextInput):
    """Minutes shown as "1h 30m"."""

    def format_value(self, value):
        if value in (None, ""):
            return ""
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            return value  # what was typed, back with its error
        hours, rest = divmod(minutes, 60)
        parts = [f"{hours}h" if hours else "", f"{rest}m" if rest else ""]
        return " ".join(part for part in parts if part) or "0m"


DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)


class DurationField(forms.Field):
    """A target in hours and minutes ("4h", "1h 30m", "45m"), stored in minutes."""

    widget = DurationInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip()
        if text.isdigit():
            return int(text)  # plain minutes still work
        match = DURATION_RE.match(text)
        if not match or not any(match.groups()):
            raise forms.ValidationError('Write it as hours and minutes, such as "4h" or "1h 30m".')
        hours, minutes = (int(group or 0) for group in match.groups())
        return hours * 60 + minutes


class SlaTargetForm(forms.ModelForm):
    first_response_minutes = DurationField(
        label="First response", required=False, help_text="e.g. 4h or 1h 30m"
    )
    next_reply_minutes = DurationField(label="Next reply", required=False, help_text="e.g. 8h")
    resolution_minutes = DurationField(label="Resolution", required=False, help_text="e.g. 24h")

    class Meta:
        model = SlaTarget
        fields = ["priority", "first_response_minutes", "next_reply_minutes", "resolution_minutes"]


class SlaTargetInline(admin.StackedInline):
    """One target per priority, each field labelled, in hours and minutes."""

    model = SlaTarget
    form = SlaTargetForm
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedModelAdmin):
    list_display = ["name", "is_default", "organization", "category", "calendar", "warning_minutes"]
    list_select_related = ["organization", "category", "calendar"]
    list_filter = ["is_default", "escalation"]
    search_fields = ["name"]
    # Plain labelled selects: admin's select2 widgets have no accessible name (axe), and a
    # desk has few organizations and categories with a policy of their own.
    inlines = [SlaTargetInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute_due_times()
        self.message_user(request, "The due times of open cases are being recomputed.")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        recompute_due_times()


@admin.register(SlaOutcome)
class SlaOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["case", "target", "due_at", "done_at", "met", "margin_seconds"]
    list_filter = ["target", "met"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]


@admin.register(Reminder)
class ReminderAdmin(AuditedModelAdmin):
    list_display = ["case", "kind", "target", "due_at", "created_at"]
    list_filter = ["kind", "target"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]


@admin.register(Notification)
class NotificationAdmin(AuditedModelAdmin):
    list_display = ["agent", "reminder", "created_at", "read_at"]
    list_select_related = ["agent__user", "reminder"]
    raw_id_fields = ["agent", "reminder"]


admin.site.unregister(BusinessCalendar)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(agents_admin.BusinessCalendarAdmin):
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute_due_times()
