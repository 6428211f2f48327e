from django.urls import path

from cases import customer, views

app_name = "cases"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/<str:reference>/", views.contact_thanks, name="contact_thanks"),
    path("c/", customer.link_request, name="customer_link_request"),
    path("c/case/<str:reference>/", customer.customer_case, name="customer_case"),
    path("c/case/<str:reference>/reply/", customer.customer_reply, name="customer_reply"),
    path("c/case/<str:reference>/resolve/", customer.customer_resolve, name="customer_resolve"),
    path("c/case/<str:reference>/reopen/", customer.customer_reopen, name="customer_reopen"),
    path("c/case/<str:reference>/rate/", customer.customer_rate, name="customer_rate"),
    path(
        "c/case/<str:reference>/attachments/<int:pk>/",
        customer.customer_attachment,
        name="customer_attachment",
    ),
    path("c/<str:token>/", customer.customer_link, name="customer_link"),
    path("desk/", views.queue, name="queue"),
    path("desk/views/", views.saved_view_create, name="saved_view_create"),
    path("desk/views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("desk/bulk/", views.cases_bulk, name="bulk"),
    path("desk/notifications/", views.notifications, name="notifications"),
    path("desk/cases/new/", views.case_new, name="new"),
    path("desk/cases/<str:reference>/", views.case_detail, name="detail"),
    path("desk/cases/<str:reference>/claim/", views.case_claim, name="claim"),
    path("desk/cases/<str:reference>/reply/", views.case_reply, name="reply"),
    path("desk/cases/<str:reference>/update/", views.case_update, name="update"),
    path("desk/cases/<str:reference>/escalate/", views.case_escalate, name="escalate"),
    path("desk/cases/<str:reference>/merge/", views.case_merge, name="merge"),
    path("desk/cases/<str:reference>/revoke-links/", views.case_revoke_links, name="revoke_links"),
    path("desk/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
