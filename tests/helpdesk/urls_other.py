"""A URL configuration other than the site's, for tests/helpdesk/test_fixed_urls.py."""

from django.http import HttpResponse
from django.urls import include, path

queue = ([path("elsewhere/", lambda request: HttpResponse(), name="queue")], "cases")

urlpatterns = [path("", include(queue))]
