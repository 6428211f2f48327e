from django.contrib import admin

from cases.models import (
    Attachment,
    CannedAnswer,
    Case,
    CaseEvent,
    Category,
    Message,
    OutboundEmail,
    Phrase,
    SavedView,
    parse_reference,
)


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
