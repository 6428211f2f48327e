import logging

from django.contrib import admin
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from cases.models import (
    Attachment,
    CannedAnswer,
    Case,
    CaseEvent,
    Category,
    Message,
    Notification,
    OutboundEmail,
    Phrase,
    QuarantinedEmail,
    Reminder,
    SavedView,
    SlaOutcome,
    SlaPolicy,
    SlaTarget,
    parse_reference,
)

logger = logging.getLogger(__name__)


def recompute_due_times() -> None:
    """After a policy or calendar changes, open cases' due times follow (in the worker)."""

    def publish():
        from cases import sla
        from cases.tasks import sla_policy_changed

        try:
            sla_policy_changed.delay()
        except Exception:
            # No broker: do it now rather than leave stale due times.
            logger.warning("Could not queue the due-time recompute; running it in the request.")
            sla.policy_changed()

    transaction.on_commit(publish)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "default_team", "default_priority"]
    list_select_related = ["default_team"]
    search_fields = ["name"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "kind", "actor", "detail"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "subject",
        "contact",
        "status",
        "priority",
        "assignee",
        "team",
        "created_at",
    ]
    list_filter = ["status", "priority", "channel", "team", "category"]
    list_select_related = ["contact", "assignee__user", "team"]
    search_fields = ["subject", "contact__name", "contact__email"]
    autocomplete_fields = ["contact", "assignee"]
    date_hierarchy = "created_at"
    readonly_fields = ["reference", "created_at", "updated_at"]
    inlines = [CaseEventInline]

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        pk = parse_reference(search_term)
        if pk is not None:
            results |= queryset.filter(pk=pk)
        return results, duplicates


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["case", "author_name", "is_internal", "channel", "created_at"]
    list_filter = ["is_internal", "channel"]
    list_select_related = ["case", "author_agent__user", "author_contact"]
    raw_id_fields = ["case", "author_agent", "author_contact"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "content_type", "size", "message", "created_at"]
    list_select_related = ["message"]
    raw_id_fields = ["message"]
    search_fields = ["name"]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "actor"]
    raw_id_fields = ["case", "actor"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["to", "kind", "subject", "created_at", "sent_at", "attempts", "failed_at"]
    list_filter = ["kind", "sent_at", "failed_at"]
    list_select_related = ["case"]
    search_fields = ["to", "subject", "message_id_header"]
    raw_id_fields = ["case"]


@admin.register(CannedAnswer)
class CannedAnswerAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "updated_at"]
    list_filter = ["team"]
    list_select_related = ["team"]
    search_fields = ["title", "body"]


@admin.register(Phrase)
class PhraseAdmin(admin.ModelAdmin):
    list_display = ["avoid", "prefer", "why"]
    search_fields = ["avoid", "prefer"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "agent", "query", "created_at"]
    list_select_related = ["agent__user"]
    search_fields = ["name", "agent__user__username"]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "organization", "category", "calendar", "warning_minutes"]
    list_select_related = ["organization", "category", "calendar"]
    list_filter = ["is_default", "escalation"]
    search_fields = ["name"]
    autocomplete_fields = ["organization", "category"]
    inlines = [SlaTargetInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute_due_times()
        self.message_user(request, "The due times of open cases are being recomputed.")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        recompute_due_times()


@admin.register(SlaOutcome)
class SlaOutcomeAdmin(admin.ModelAdmin):
    list_display = ["case", "target", "due_at", "done_at", "met", "margin_seconds"]
    list_filter = ["target", "met"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "target", "due_at", "created_at"]
    list_filter = ["kind", "target"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["agent", "reminder", "created_at", "read_at"]
    list_select_related = ["agent__user", "reminder"]
    raw_id_fields = ["agent", "reminder"]


@admin.register(QuarantinedEmail)
class QuarantinedEmailAdmin(admin.ModelAdmin):
    """Inbound mail that could not be read: shown as it came, for a manager to look at."""

    list_display = ["received_at", "sender", "subject", "reason"]
    search_fields = ["sender", "subject", "reason"]
    date_hierarchy = "received_at"
    fields = ["received_at", "sender", "subject", "reason", "download", "raw_start"]
    readonly_fields = fields
    # Shown on the page; the whole message is a download.
    PREVIEW_CHARS = 20_000

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Raw message")
    def download(self, obj):
        url = reverse("admin:cases_quarantinedemail_raw", args=[obj.pk])
        return format_html('<a href="{}">Download the message ({} bytes)</a>', url, len(obj.raw))

    @admin.display(description="Start of the message")
    def raw_start(self, obj):
        text = bytes(obj.raw)[: self.PREVIEW_CHARS].decode("utf-8", errors="replace")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    def get_urls(self):
        raw = self.admin_site.admin_view(self.raw_view)
        return [
            path("<int:pk>/raw/", raw, name="cases_quarantinedemail_raw"),
            *super().get_urls(),
        ]

    def raw_view(self, request, pk):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        email = get_object_or_404(QuarantinedEmail, pk=pk)
        response = HttpResponse(bytes(email.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="quarantined-{email.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
