"""The desk in the agent's own language and time zone.

LocaleMiddleware picks a language from the browser (Accept-Language) for every page; on
the desk's pages an agent who chose a desk language gets it instead, and dates and
times in their time zone. Customers' pages keep the browser's language and the desk's
time zone, whoever is signed in. The agent comes with the user (cases.auth loads both
in one query), so this reads nothing more."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone, translation

DESK_PREFIX = "/desk/"


def desk_language_activate(request, agent) -> str:
    """Activate the agent's desk language, or the browser's when they chose none."""
    language = agent.desk_language or translation.get_language_from_request(request)
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()
    return request.LANGUAGE_CODE


class DeskLocaleMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: on desk pages, the signed-in
    agent's language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agent = _desk_agent(request)
        if agent is None:
            return self.get_response(request)
        if agent.desk_language:
            desk_language_activate(request, agent)
        # The language stays active for LocaleMiddleware's Content-Language; the time
        # zone ends with the request (the next one in this thread may be a customer's).
        timezone.activate(agent.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _desk_agent(request):
    if not request.path_info.startswith(DESK_PREFIX) or not request.user.is_authenticated:
        return None
    try:
        return request.user.agent
    except ObjectDoesNotExist:
        return None
