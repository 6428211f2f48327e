from django.urls import path

from cases.sla import views as sla_views
from cases.views import contacts, customer, log, public, queue, workspace

app_name = "cases"

urlpatterns = [
    path("contact/", public.contact, name="contact"),
    path("contact/thanks/<str:reference>/", public.contact_thanks, name="contact_thanks"),
    path("c/", customer.link_request, name="customer_link_request"),
    path("c/case/<str:reference>/", customer.customer_case, name="customer_case"),
    path("c/case/<str:reference>/reply/", customer.customer_reply, name="customer_reply"),
    path("c/case/<str:reference>/resolve/", customer.customer_resolve, name="customer_resolve"),
    path("c/case/<str:reference>/reopen/", customer.customer_reopen, name="customer_reopen"),
    path("c/case/<str:reference>/rate/", customer.customer_rate, name="customer_rate"),
    path(
        "c/case/<str:reference>/my-data/",
        customer.customer_data_request,
        name="customer_data_request",
    ),
    path("c/data/<str:token>/", customer.customer_data, name="customer_data"),
    path(
        "c/case/<str:reference>/attachments/<int:pk>/",
        customer.customer_attachment,
        name="customer_attachment",
    ),
    path("c/<str:token>/", customer.customer_link, name="customer_link"),
    path("desk/", queue.queue, name="queue"),
    path("desk/views/", queue.saved_view_create, name="saved_view_create"),
    path("desk/views/<int:pk>/delete/", queue.saved_view_delete, name="saved_view_delete"),
    path("desk/bulk/", queue.cases_bulk, name="bulk"),
    path("desk/notifications/", sla_views.notifications, name="notifications"),
    path("desk/cases/new/", log.case_new, name="new"),
    path("desk/cases/<str:reference>/", workspace.case_detail, name="detail"),
    path("desk/cases/<str:reference>/claim/", queue.case_claim, name="claim"),
    path("desk/cases/<str:reference>/reply/", workspace.case_reply, name="reply"),
    path("desk/cases/<str:reference>/update/", workspace.case_update, name="update"),
    path("desk/cases/<str:reference>/escalate/", workspace.case_escalate, name="escalate"),
    path("desk/cases/<str:reference>/merge/", workspace.case_merge, name="merge"),
    path(
        "desk/cases/<str:reference>/revoke-links/", workspace.case_revoke_links, name="revoke_links"
    ),
    path(
        "desk/cases/<str:reference>/mail/<int:pk>/retry/",
        workspace.case_mail_retry,
        name="mail_retry",
    ),
    path("desk/attachments/<int:pk>/", workspace.attachment_download, name="attachment"),
]

# Included by the project's urls under /desk/contacts/, in the "contacts" namespace.
contact_urlpatterns = [
    path("", contacts.directory, name="directory"),
    path("<int:pk>/", contacts.detail, name="detail"),
    path("<int:pk>/owner/", contacts.change_owner, name="change_owner"),
    path("<int:pk>/details/", contacts.edit_details, name="edit_details"),
    path("<int:pk>/export/", contacts.export_data, name="export"),
    path("<int:pk>/erase/", contacts.erase, name="erase"),
]
