"""The layout's navigation bar, written in Python.

Every page carries it: a dozen links, each marked active by the page's view, the
agent's reminders and a logout form. Through the template language its conditions,
links and translations were a fifth of the time of the floor page (the layout after one
query). The links are reversed once per URL configuration (helpdesk.templatetags.
fixed_urls); every text is escaped here.
"""

from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from agents.desk_locale import desk_language_switch
from agents.two_factor import pending as two_factor_pending
from helpdesk.lib.html import html_text
from helpdesk.templatetags.fixed_urls import fixed_url

register = template.Library()


@register.simple_tag(takes_context=True)
def site_nav(context) -> str:
    request = context["request"]
    user = request.user
    signed_in = user.is_authenticated
    match = request.resolver_match
    url_name = match.url_name if match else None
    app_name = match.app_name if match else None
    on_desk_article = app_name == "knowledge" and "desk_" in (url_name or "")

    def link(name: str, text: str, active: bool) -> str:
        css = "nav-link active" if active else "nav-link"
        return (
            f'<li class="nav-item"><a class="{css}" href="{html_text(fixed_url(name))}">'
            f"{html_text(text)}</a></li>"
        )

    items = []
    # Before the second step of a login the desk's links would only lead back to it.
    at_second_step = signed_in and bool(two_factor_pending(request))
    if signed_in and not at_second_step:
        reports = "reports:page" if user.is_staff else "reports:me"
        items += [
            link("cases:queue", gettext("Queue"), url_name == "queue"),
            link("cases:new", gettext("Log a case"), url_name == "new"),
            link("contacts:directory", gettext("Contacts"), app_name == "contacts"),
            link("knowledge:desk_list", gettext("Articles"), on_desk_article),
            link(reports, gettext("Reports"), app_name == "reports"),
        ]
    help_centre = url_name == "home" or (app_name == "knowledge" and not on_desk_article)
    items += [
        link("knowledge:home", gettext("Help centre"), help_centre),
        link("cases:contact", gettext("Contact us"), url_name == "contact"),
    ]
    if not signed_in:
        items.append(
            link(
                "cases:customer_link_request",
                gettext("My requests"),
                url_name == "customer_link_request",
            )
        )
    if user.is_staff and not at_second_step:
        items.append(link("admin:index", gettext("Admin"), False))

    if signed_in:
        account = ""
        if getattr(request, "agent", None):
            unread = context.get("unread_notifications")
            badge = ""
            if unread:
                badge = (
                    ' <span class="badge text-bg-danger" id="notification-count">'
                    f"{html_text(unread)}</span>"
                )
            # Words outside the f-strings: makemessages cannot see into them.
            reminders = html_text(gettext("Reminders"))
            account += (
                '<a class="btn btn-sm btn-light me-2 position-relative" '
                f'href="{html_text(fixed_url("cases:notifications"))}" id="notifications-link">'
                f"{reminders}{badge}</a>"
            )
        # On desk pages, the desk language (customers' pages follow the browser).
        account += desk_language_switch(request)
        name = html_text(user.get_full_name() or user.get_username())
        if getattr(request, "agent", None):
            # The agent's own page: two-factor login, recovery codes, their sessions.
            name = (
                '<a class="navbar-text small link-light" id="account-link" '
                f'href="{html_text(fixed_url("account:page"))}">{name}</a>'
            )
        else:
            name = f'<span class="navbar-text small">{name}</span>'
        log_out = html_text(gettext("Log out"))
        account += (
            f'<form method="post" action="{html_text(fixed_url("logout"))}" '
            'class="d-flex align-items-center gap-2">'
            '<input type="hidden" name="csrfmiddlewaretoken" '
            f'value="{html_text(get_token(request))}">'
            f"{name}"
            '<button class="btn btn-sm btn-outline-light" type="submit">'
            f"{log_out}</button></form>"
        )
    else:
        agent_login = html_text(gettext("Agent login"))
        account = (
            f'<a class="btn btn-sm btn-outline-light" href="{html_text(fixed_url("login"))}">'
            f"{agent_login}</a>"
        )

    home = fixed_url("cases:queue" if signed_in else "cases:contact")
    menu = html_text(gettext("Menu"))
    return mark_safe(
        '<nav class="navbar navbar-expand-md navbar-dark bg-primary mb-4"><div class="container">'
        f'<a class="navbar-brand fw-semibold" href="{html_text(home)}">'
        f"{html_text(context.get('SITE_NAME', ''))}</a>"
        '<button class="navbar-toggler" type="button" data-bs-toggle="collapse" '
        'data-bs-target="#nav" aria-controls="nav" aria-expanded="false" '
        f'aria-label="{menu}"><span class="navbar-toggler-icon"></span>'
        '</button><div class="collapse navbar-collapse" id="nav">'
        f'<ul class="navbar-nav me-auto">{"".join(items)}</ul>{account}</div></div></nav>'
    )
