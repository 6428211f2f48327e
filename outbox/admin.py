from django.contrib import admin
from django.utils import timezone

from audit.admin import AuditedModelAdmin, ReadOnlyAdmin
from outbox import retry
from outbox.models import OutboundEmail


def status(email: OutboundEmail) -> str:
    """Where a mail stands, in a few words: sent, waiting (and until when), or failed."""
    if email.sent_at:
        return f"Sent {_when(email.sent_at)}"
    if email.failed_at:
        return f"Failed, given up {_when(email.failed_at)}"
    if email.last_error:
        return f"Pending, next try at {_when(email.next_attempt_at)}"
    return "Waiting to be sent"


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("failed", "Failed"),
            ("retrying", "Pending, failed before"),
            ("waiting", "Waiting to be sent"),
            ("sent", "Sent"),
        ]

    def queryset(self, request, queryset):
        unsent = queryset.filter(sent_at__isnull=True)
        match self.value():
            case "failed":
                return unsent.filter(failed_at__isnull=False)
            case "retrying":
                return unsent.filter(failed_at__isnull=True).exclude(last_error="")
            case "waiting":
                return unsent.filter(failed_at__isnull=True, last_error="")
            case "sent":
                return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    """The outbox, read only; "Retry now" is the one thing done here."""

    list_display = ["to", "kind", "subject", "created_at", "attempts", "status_shown", "error"]
    list_filter = [StatusFilter, "kind", "created_at"]
    list_select_related = ["case"]
    search_fields = ["to", "subject", "message_id_header"]
    raw_id_fields = ["case"]
    actions = ["retry_now"]

    @admin.display(description="Status")
    def status_shown(self, email):
        return status(email)

    @admin.display(description="Last error")
    def error(self, email):
        return email.last_error[:120] if email.last_error else "—"

    def has_retry_permission(self, request):
        # The record stays read only; sending it again asks for the right to change it.
        return AuditedModelAdmin.has_change_permission(self, request)

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request, queryset):
        chosen = queryset.count()
        count = retry.emails_retry_now(emails=queryset, request=request, where="admin")
        said = "1 mail" if count == 1 else f"{count} mails"
        self.message_user(request, f"{said} will be sent again within seconds, by the relay.")
        if count < chosen:
            self.message_user(
                request,
                f"{chosen - count} left as they were: sent already, or with nothing left to "
                "send (an erased contact's mail).",
                level="warning",
            )
