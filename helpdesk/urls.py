from django.contrib import admin
from django.urls import include, path

from knowledge import views as knowledge_views

urlpatterns = [
    # The knowledge base's home is the site's front page (also at /kb/).
    path("", knowledge_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Provider webhooks for inbound mail (cases/inbound.py listens to the signal).
    path("anymail/", include("anymail.urls")),
    path("desk/contacts/", include("contacts.urls")),
    path("", include("cases.urls")),
    path("", include("knowledge.urls")),
]
