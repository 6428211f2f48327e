"""The desk language switch under the navigation bar (templates/base.html), written in
Python like the bar itself (helpdesk.templatetags.site_nav): every desk page carries it."""

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, gettext

from helpdesk.lib.html import html_text

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_language_switch(context) -> str:
    """On a desk page, a form that saves the agent's desk language and comes back here;
    elsewhere nothing."""
    request = context.get("request")
    agent = getattr(request, "agent", None)
    if agent is None:
        return ""
    # Each language in its own name, so an agent finds theirs in a desk they cannot read.
    browser = html_text(gettext("Your browser's language"))
    html_options = [f'<option value="">{browser}</option>']
    for code, _name in settings.LANGUAGES:
        selected = " selected" if code == agent.desk_language else ""
        name = html_text(get_language_info(code)["name_local"])
        html_options.append(f'<option value="{code}" lang="{code}"{selected}>{name}</option>')
    # Words outside the f-strings: makemessages cannot see into them.
    label, switch = html_text(gettext("Desk language")), html_text(gettext("Switch"))
    return mark_safe(
        '<div class="container d-flex justify-content-end d-print-none mb-2">'
        f'<form method="post" action="{html_text(reverse("account:desk_language"))}" '
        'class="d-flex align-items-center gap-2" id="desk-language-switch">'
        '<input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{html_text(get_token(request))}">'
        f'<input type="hidden" name="next" value="{html_text(request.get_full_path())}">'
        '<label class="small text-secondary" for="desk-language">'
        f"{label}</label>"
        '<select class="form-select form-select-sm w-auto" name="desk_language" '
        f'id="desk-language">{"".join(html_options)}</select>'
        '<button class="btn btn-sm btn-outline-secondary" type="submit">'
        f"{switch}</button></form></div>"
    )
