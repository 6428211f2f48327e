from django.contrib import admin

from audit.admin import AuditedModelAdmin, ReadOnlyAdmin
from contacts.models import Contact, Organization, OwnerChange


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(AuditedModelAdmin):
    list_display = ["name", "email", "organization", "owner", "language", "created_at"]
    list_filter = ["language", "owner__team"]
    list_select_related = ["organization", "owner__user"]
    search_fields = ["name", "email", "phone", "organization__name"]
    autocomplete_fields = ["organization", "owner"]


@admin.register(OwnerChange)
class OwnerChangeAdmin(ReadOnlyAdmin):
    list_display = ["contact", "previous_owner", "new_owner", "actor", "reason", "created_at"]
    list_select_related = ["contact", "previous_owner__user", "new_owner__user", "actor"]
    raw_id_fields = ["contact", "previous_owner", "new_owner", "actor"]
    search_fields = ["contact__name", "contact__email", "reason"]
    date_hierarchy = "created_at"
    # An audit trail: read it, never rewrite it.
