"""API tokens in admin: made for a named integration with its scopes, the key shown
once; revoked, never deleted (the audit log names them)."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from api.models import EVENTS, SCOPES, ApiToken, WebhookDelivery, WebhookEndpoint
from api.webhooks import address_allowed, secret_new
from audit.admin import AuditedModelAdmin

# The endpoint's page shows its newest deliveries; the log has them all.
RECENT_DELIVERIES = 10


class MadeHere:
    """An add page asks only for what is given; what is made (a key, times) shows after."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj else [name for name in fields if name not in self.readonly_fields]


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=SCOPES, widget=forms.CheckboxSelectMultiple, required=False
    )
    # One labelled input (admin's split date and time boxes have no labels of their own).
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires at",
        help_text="Empty: never.",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scopes", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(MadeHere, AuditedModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "lookup",
        "scopes_shown",
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

    @admin.display(description="Scopes")
    def scopes_shown(self, token):
        return ", ".join(token.scopes) or "—"

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        now = timezone.now()
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            self.log_change(request, token, "Revoked.")
        self.message_user(request, "Revoked: they no longer open the API.")


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
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
class WebhookEndpointAdmin(MadeHere, AuditedModelAdmin):
    form = EndpointForm
    list_display = [
        "name",
        "url",
        "events_shown",
        "active",
        "consecutive_failures",
        "disabled_at",
    ]
    readonly_fields = [
        "secret",
        "consecutive_failures",
        "disabled_at",
        "created_at",
        "recent_deliveries",
    ]

    @admin.display(description="Events")
    def events_shown(self, endpoint):
        return ", ".join(endpoint.events) or "—"

    @admin.display(description="Recent deliveries")
    def recent_deliveries(self, endpoint):
        if endpoint.pk is None:
            return "None yet."
        log = (
            reverse("admin:api_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        )
        newest = endpoint.deliveries.order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:api_webhookdelivery_change", args=[delivery.pk]),
                    timezone.localtime(delivery.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    delivery.event,
                    delivery.attempts,
                    outcome(delivery),
                )
                for delivery in newest
            ),
        )
        if not rows:
            return "None yet."
        return format_html(
            '<table><thead><tr><th scope="col">Made</th><th scope="col">Event</th>'
            '<th scope="col">Attempts</th><th scope="col">Outcome</th></tr></thead>'
            '<tbody>{}</tbody></table><p><a href="{}">The whole delivery log of this '
            "endpoint</a></p>",
            rows,
            log,
        )

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = secret_new()
        if obj.active:
            obj.disabled_at = None
            obj.consecutive_failures = 0
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # switched off instead: its deliveries stay in the log


def outcome(delivery: WebhookDelivery) -> str:
    """What came of a delivery, in a few words: a status and a duration, or what waits."""
    answer = f"HTTP {delivery.last_status}" if delivery.last_status else delivery.last_error[:60]
    took = f", {delivery.last_duration_ms} ms" if delivery.last_duration_ms is not None else ""
    if delivery.delivered_at:
        return f"Delivered ({answer}{took})"
    if delivery.failed_at:
        return f"Given up ({answer or 'no answer'})"
    if delivery.attempts:
        when = timezone.localtime(delivery.next_attempt_at).strftime("%H:%M")
        return f"Retrying at {when} ({answer or 'no answer'})"
    return "Waiting to be sent"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditedModelAdmin):
    """The delivery log: each event sent to each endpoint, and what came of it. Read
    only; "send again" is the one thing done here."""

    list_display = [
        "created_at",
        "endpoint",
        "event",
        "attempts",
        "outcome_shown",
    ]
    list_filter = ["endpoint", "event"]
    list_select_related = ["endpoint"]
    actions = ["send_again"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    @admin.display(description="Outcome")
    def outcome_shown(self, delivery):
        return outcome(delivery)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return super().has_change_permission(request)

    @admin.action(description="Send again", permissions=["resend"])
    def send_again(self, request, queryset):
        count = queryset.update(next_attempt_at=timezone.now(), failed_at=None, delivered_at=None)
        for delivery in queryset:
            self.log_change(request, delivery, "Sent again.")
        said = "1 delivery" if count == 1 else f"{count} deliveries"
        self.message_user(
            request, f"{said} will be sent again within seconds, with the same webhook-id."
        )
