"""The site's URLs plus the floor: what any desk page costs at the least."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from agents.desk import agent_required
from cases.models import Case

FLOOR = engines["django"].from_string('{% extends "base.html" %}')


@agent_required
def floor(request):
    """The layout (base.html with its navigation) after one indexed query."""
    Case.objects.filter(pk=1).first()
    return HttpResponse(FLOOR.render({}, request))


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("helpdesk.urls")),
]
