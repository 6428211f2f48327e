from django.contrib import admin

from audit.admin import ReadOnlyAdmin
from outbox.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["to", "kind", "subject", "created_at", "sent_at", "attempts", "failed_at"]
    list_filter = ["kind", "sent_at", "failed_at"]
    list_select_related = ["case"]
    search_fields = ["to", "subject", "message_id_header"]
    raw_id_fields = ["case"]
