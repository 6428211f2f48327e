from django.contrib import admin
from django.urls import include, path

from agents.accounts import PasswordResetConfirmView, PasswordResetView
from cases.urls import contact_urlpatterns
from helpdesk import devmail
from knowledge import views as knowledge_views

urlpatterns = [
    # The knowledge base's home is the site's front page (also at /kb/).
    path("", knowledge_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("healthz", include("health.urls")),
    path("api/v1/", include("api.urls")),
    # Development only: the mail the portal sent (404 unless DEBUG).
    path("dev/mail/", devmail.mail_list, name="dev_mail_list"),
    path("dev/mail/<str:name>/", devmail.mail_detail, name="dev_mail_detail"),
    # Before Django's own: the reset mail's link comes from SITE_URL, not the Host header.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("agents.urls")),
    # Provider webhooks for inbound mail (inbox/apps.py connects the signal to inbox.ingest).
    path("anymail/", include("anymail.urls")),
    path("desk/contacts/", include((contact_urlpatterns, "contacts"))),
    path("", include("cases.urls")),
    path("", include("knowledge.urls")),
    path("", include("reports.urls")),
]
