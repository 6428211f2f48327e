"""The desk in the agent's own language and time zone.

LocaleMiddleware picks a language from the browser (Accept-Language) for every page; on
the desk's pages an agent who chose a desk language gets it instead, and dates and
times in their time zone. Customers' pages keep the browser's language and the desk's
time zone, whoever is signed in. The agent comes with the user (cases.auth loads both
in one query), so this reads nothing more."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_info, gettext

from helpdesk.lib.html import html_text

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


def desk_language_switch(request) -> str:
    """On a desk page, a menu in the navigation bar that saves the agent's desk language
    and comes back here; elsewhere "" (customers' pages follow the browser, whoever is
    signed in). Each language is named in itself, so an agent finds theirs in a desk
    they cannot read."""
    agent = getattr(request, "agent", None)
    if agent is None:
        return ""
    choices = [("", gettext("Your browser's language"))]
    choices += [(code, get_language_info(code)["name_local"]) for code, _ in settings.LANGUAGES]
    html_items = []
    for code, name in choices:
        current = ' aria-current="true"' if code == agent.desk_language else ""
        css = "dropdown-item active" if current else "dropdown-item"
        lang = f' lang="{code}"' if code else ""
        html_items.append(
            f'<li><button class="{css}" type="submit" name="desk_language" value="{code}"'
            f"{lang}{current}>{html_text(name)}</button></li>"
        )
    shown = (agent.desk_language or translation.get_language() or "").upper()
    # Words outside the f-strings: makemessages cannot see into them.
    label = html_text(gettext("Desk language"))
    return (
        f'<form method="post" action="{html_text(reverse("account:desk_language"))}" '
        'class="dropdown me-2 my-2 my-md-0" id="desk-language-switch">'
        '<input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{html_text(get_token(request))}">'
        f'<input type="hidden" name="next" value="{html_text(request.get_full_path())}">'
        '<button class="btn btn-sm btn-outline-light dropdown-toggle" type="button" '
        f'data-bs-toggle="dropdown" aria-expanded="false" title="{label}" '
        f'aria-label="{label}: {html_text(shown)}" id="desk-language">{html_text(shown)}</button>'
        f'<ul class="dropdown-menu dropdown-menu-end">{"".join(html_items)}</ul></form>'
    )
