from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin import AuditedModelAdmin
from inbox.models import QuarantinedEmail


@admin.register(QuarantinedEmail)
class QuarantinedEmailAdmin(AuditedModelAdmin):
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
        url = reverse("admin:inbox_quarantinedemail_raw", args=[obj.pk])
        return format_html('<a href="{}">Download the message ({} bytes)</a>', url, len(obj.raw))

    @admin.display(description="Start of the message")
    def raw_start(self, obj):
        text = bytes(obj.raw)[: self.PREVIEW_CHARS].decode("utf-8", errors="replace")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    def get_urls(self):
        raw = self.admin_site.admin_view(self.raw_view)
        return [
            path("<int:pk>/raw/", raw, name="inbox_quarantinedemail_raw"),
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
