"""API tokens in admin: made for a named integration with its scopes, the key shown
once; revoked, never deleted (the audit log names them)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from api.models import SCOPES, ApiToken
from audit.admin import AuditedModelAdmin


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=SCOPES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scopes", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "lookup",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["lookup", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.issue()
            obj.created_by = request.user
            messages.warning(
                request,
                f"The key of “{obj.name}”, shown this once: {key} "
                "— copy it now; only its hash is kept.",
            )
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        now = timezone.now()
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            self.log_change(request, token, "Revoked.")
        self.message_user(request, "Revoked: they no longer open the API.")
