from django.urls import path

from health import views

# Included at /healthz by helpdesk/urls.py (no trailing slash, as monitors expect).
urlpatterns = [path("", views.healthz, name="healthz")]
