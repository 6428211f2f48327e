"""The audit log in admin (read, filter, never change), and the base of every admin page
of the project, which writes each addition, change and deletion made there to the log."""

import json

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from audit.log import Action, audit_record
from audit.models import AuditEntry


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose changes go to the audit log, with who made them and from where.
    Django's own admin history (LogEntry) is kept as well."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit_record(Action.ADMIN_ADDED, request=request, target=obj, detail=_said(message))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        audit_record(Action.ADMIN_CHANGED, request=request, target=obj, detail=_said(message))
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            audit_record(Action.ADMIN_DELETED, request=request, target=obj)
        return entries


class ReadOnlyAdmin(AuditedModelAdmin):
    """A record that is read in admin and never written there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _said(message) -> str:
    """Admin's change message (a list of what changed) as its history page words it."""
    if isinstance(message, list):
        return LogEntry(change_message=json.dumps(message)).get_change_message()
    return str(message or "")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "action", "target", "address"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_name", "target", "target_id", "address", "detail"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "action",
        "actor_name",
        "address",
        "target_type",
        "target_id",
        "target",
        "detail",
    ]
    readonly_fields = fields
    show_full_result_count = False


# Users and groups are Django's; their admin pages are the same, audited. A user is
# deactivated, never deleted (an agent's cases and history name them).
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, auth_admin.UserAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, auth_admin.GroupAdmin):
    pass


# Failed logins (django-axes): the same pages, audited. Deleting a name's or an
# address's attempts lifts its lock: that is what the log says.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AuditedModelAdmin, axes_admin.AccessAttemptAdmin):
    def log_deletions(self, request, queryset):
        entries = admin.ModelAdmin.log_deletions(self, request, queryset)
        for attempt in queryset:
            audit_record(
                Action.UNLOCKED,
                request=request,
                target=attempt,
                label=f"{attempt.username or '—'} from {attempt.ip_address or '—'}",
                detail=f"after {attempt.failures_since_start} failed logins",
            )
        return entries


@admin.register(AccessLog)
class AccessLogAdmin(AuditedModelAdmin, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(AuditedModelAdmin, axes_admin.AccessFailureLogAdmin):
    pass
