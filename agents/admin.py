from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agents.languages import AgentAdminForm
from agents.models import Agent, BusinessCalendar, Holiday, Team, WorkingHours
from audit.admin import AuditedModelAdmin


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "lead"]
    list_select_related = ["lead__user"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]


@admin.register(Agent)
class AgentAdmin(AuditedModelAdmin):
    form = AgentAdminForm  # the languages as checkboxes
    list_display = ["name", "user", "team", "away_until", "backup", "languages", "is_active"]
    list_filter = ["team", "user__is_active"]
    list_select_related = ["user", "team", "backup__user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user", "backup"]

    def has_delete_permission(self, request, obj=None):
        return False  # an agent leaves by deactivation: their cases and history name them

    @admin.display(boolean=True, ordering="user__is_active")
    def is_active(self, agent):
        return agent.user.is_active


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name"]
    inlines = [WorkingHoursInline, HolidayInline]


# Agents' second factors (django-otp). A manager sees who has one and removes the one
# of an agent who lost their phone (they set it up again at their next login when
# their role requires it); nobody sees a device's secret here, nor adds or edits one.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class DeviceAdmin(AuditedModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(TOTPDevice, DeviceAdmin)
admin.site.register(StaticDevice, DeviceAdmin)
