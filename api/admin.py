"""API tokens in admin: made for a named integration with its scopes, the key shown
once; revoked, never deleted (the audit log names them)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from api.models import EVENTS, SCOPES, ApiToken, WebhookDelivery, WebhookEndpoint
from api.webhooks import address_allowed, secret_new
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


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EVENTS, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "internal", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not address_allowed(url):
            raise forms.ValidationError(
                "Give a public http(s) address: private, loopback and link-local ones are "
                "refused (WEBHOOKS_ALLOW_PRIVATE allows them for development)."
            )
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedModelAdmin):
    form = EndpointForm
    list_display = ["name", "url", "events", "active", "consecutive_failures", "disabled_at"]
    readonly_fields = ["secret", "consecutive_failures", "disabled_at", "created_at"]

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = secret_new()
        if obj.active:
            obj.disabled_at = None
            obj.consecutive_failures = 0
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # switched off instead: its deliveries stay in the log


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditedModelAdmin):
    """The delivery log: each event sent to each endpoint, and what came of it."""

    list_display = [
        "created_at",
        "endpoint",
        "event",
        "attempts",
        "last_status",
        "last_duration_ms",
        "delivered_at",
        "failed_at",
    ]
    list_filter = ["endpoint", "event"]
    list_select_related = ["endpoint"]
    actions = ["send_again"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again")
    def send_again(self, request, queryset):
        count = queryset.update(next_attempt_at=timezone.now(), failed_at=None, delivered_at=None)
        for delivery in queryset:
            self.log_change(request, delivery, "Sent again.")
        self.message_user(request, f"{count} deliveries will be sent again within seconds.")
