from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/<str:reference>/", views.contact_thanks, name="contact_thanks"),
    path("desk/", views.queue, name="queue"),
    path("desk/cases/<str:reference>/", views.case_detail, name="detail"),
    path("desk/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
