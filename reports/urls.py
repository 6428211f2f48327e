from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("desk/reports/", views.reports_page, name="page"),
    path("desk/reports/me/", views.reports_me, name="me"),
]
