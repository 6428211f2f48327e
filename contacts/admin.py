from django.contrib import admin

from contacts.models import Contact, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organization", "owner", "language", "created_at"]
    list_filter = ["language", "owner__team"]
    list_select_related = ["organization", "owner__user"]
    search_fields = ["name", "email", "phone", "organization__name"]
    autocomplete_fields = ["organization", "owner"]
