from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import render

from cases.services import agent_reassign_all
from helpdesk.models import Agent, BusinessCalendar, Holiday, Team, WorkingHours


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    list_select_related = ["lead__user"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]


class ReassignForm(forms.Form):
    successor = forms.ModelChoiceField(
        queryset=Agent.objects.active().select_related("user"),
        label="Hand their contacts and open cases to",
    )

    def __init__(self, *args, leaving, **kwargs):
        super().__init__(*args, **kwargs)
        self.leaving = leaving
        self.fields["successor"].queryset = self.fields["successor"].queryset.exclude(
            pk__in=[agent.pk for agent in leaving]
        )


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "team", "away_until", "backup", "languages", "is_active"]
    list_filter = ["team", "user__is_active"]
    list_select_related = ["user", "team", "backup__user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user", "backup"]
    actions = ["reassign_work"]

    @admin.display(boolean=True, ordering="user__is_active")
    def is_active(self, agent):
        return agent.user.is_active

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
            "admin/helpdesk/agent/reassign.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reassign an agent's work",
                "form": form,
                "leaving": leaving,
                "opts": self.model._meta,
                "action": "reassign_work",
            },
        )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name"]
    inlines = [WorkingHoursInline, HolidayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from cases.admin import recompute_due_times

        recompute_due_times()
