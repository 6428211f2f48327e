import logging

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from agents import admin as agents_admin
from agents.models import Agent
from audit.admin import AuditedModelAdmin, ReadOnlyAdmin
from cases.handover import agent_reassign_all
from cases.models import (
    Attachment,
    CannedAnswer,
    CannedAnswerVersion,
    Case,
    CaseEvent,
    Category,
    Message,
    Phrase,
    SavedView,
    parse_reference,
)

logger = logging.getLogger(__name__)


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
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
class CaseAdmin(AuditedModelAdmin):
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

    def has_delete_permission(self, request, obj=None):
        return False  # a case is closed, or its contact erased; never deleted

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        pk = parse_reference(search_term)
        if pk is not None:
            results |= queryset.filter(pk=pk)
        return results, duplicates


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Part of the case timeline: read here, never rewritten."""

    list_display = ["case", "author_name", "is_internal", "channel", "created_at"]
    list_filter = ["is_internal", "channel"]
    list_select_related = ["case", "author_agent__user", "author_contact"]
    raw_id_fields = ["case", "author_agent", "author_contact"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "content_type", "size", "message", "created_at"]
    list_select_related = ["message"]
    raw_id_fields = ["message"]
    search_fields = ["name"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "actor"]
    raw_id_fields = ["case", "actor"]


class VersionsFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        languages = [
            form.cleaned_data["language"]
            for form in self.forms
            if form.cleaned_data.get("language") and not form.cleaned_data.get("DELETE")
        ]
        if self.instance.language in languages:
            raise forms.ValidationError(
                "The answer itself is in this language: edit its body instead."
            )


class CannedAnswerVersionInline(admin.StackedInline):
    model = CannedAnswerVersion
    formset = VersionsFormSet
    extra = 1
    verbose_name = "version in another language"
    verbose_name_plural = "versions in other languages (the workspace inserts the contact's)"


@admin.register(CannedAnswer)
class CannedAnswerAdmin(AuditedModelAdmin):
    list_display = ["title", "language", "team", "updated_at"]
    list_filter = ["team", "language"]
    inlines = [CannedAnswerVersionInline]
    list_select_related = ["team"]
    search_fields = ["title", "body"]


@admin.register(Phrase)
class PhraseAdmin(AuditedModelAdmin):
    list_display = ["avoid", "prefer", "why"]
    search_fields = ["avoid", "prefer"]


@admin.register(SavedView)
class SavedViewAdmin(AuditedModelAdmin):
    list_display = ["name", "agent", "query", "created_at"]
    list_select_related = ["agent__user"]
    search_fields = ["name", "agent__user__username"]


# Agents are registered by the agents app; a leaving agent's handover of contacts and
# cases is added here (and due times after a calendar edit in cases.sla.admin).


class ReassignForm(forms.Form):
    successor = forms.ModelChoiceField(
        queryset=Agent.objects.active().select_related("user"),
        label="Hand their contacts and open cases to",
    )

    away_anyway = forms.BooleanField(
        required=False, label="Hand over to them even though they are away"
    )

    def __init__(self, *args, leaving, **kwargs):
        super().__init__(*args, **kwargs)
        self.leaving = leaving
        self.fields["successor"].queryset = self.fields["successor"].queryset.exclude(
            pk__in=[agent.pk for agent in leaving]
        )

    def clean(self):
        data = super().clean()
        successor = data.get("successor")
        if successor is not None and successor.is_away() and not data.get("away_anyway"):
            until = timezone.localtime(successor.away_until)
            raise forms.ValidationError(
                f"{successor.name} is away until {until:%d %b %Y %H:%M}: their new contacts' "
                "cases would go to their backup meanwhile. Choose someone else, or tick the "
                "box to hand over anyway."
            )
        return data


admin.site.unregister(Agent)


@admin.register(Agent)
class AgentAdmin(agents_admin.AgentAdmin):
    actions = ["reassign_work"]

    @admin.action(description="Reassign contacts and open cases to another agent")
    def reassign_work(self, request, queryset):
        leaving = list(queryset.select_related("user"))
        if "apply" in request.POST:
            form = ReassignForm(request.POST, leaving=leaving)
            if form.is_valid():
                successor = form.cleaned_data["successor"]
                with transaction.atomic():
                    moved = [
                        agent_reassign_all(leaving=agent, successor=successor, actor=request.user)
                        for agent in leaving
                    ]
                contacts = sum(count for count, _ in moved)
                cases = sum(count for _, count in moved)
                self.message_user(
                    request,
                    f"{contacts} contacts and {cases} open cases moved to {successor.name}.",
                    messages.SUCCESS,
                )
                return None
        else:
            form = ReassignForm(leaving=leaving)
        return render(
            request,
            "admin/agents/agent/reassign.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reassign an agent's work",
                "form": form,
                "leaving": leaving,
                "opts": self.model._meta,
                "action": "reassign_work",
            },
        )


# The response-time models and the calendar's due-time recompute.
from cases.sla import admin as sla_admin  # noqa: E402,F401
