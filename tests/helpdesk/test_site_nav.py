"""The navigation bar every page carries (helpdesk.templatetags.site_nav): the links each
visitor may follow, the one they are on, the agent's reminders and the logout form."""

import re

import pytest
from django.urls import reverse

from cases.models import Notification
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def nav(client, url, **headers) -> str:
    html = client.get(url, **headers).content.decode()
    return re.search(r"<nav .*?</nav>", html, re.S).group(0)


def links(html: str) -> dict[str, str]:
    """Each link's text and its address, the active one's text starred."""
    found = re.findall(r'<a class="nav-link( active)?" href="([^"]+)">([^<]+)</a>', html)
    return {text + ("*" if active else ""): href for active, href, text in found}


def test_a_customer_sees_the_help_centre_the_form_and_their_requests(client):
    html = nav(client, reverse("cases:contact"))

    assert links(html) == {
        "Help centre": reverse("knowledge:home"),
        "Contact us*": reverse("cases:contact"),
        "My requests": reverse("cases:customer_link_request"),
    }
    assert f'href="{reverse("login")}">Agent login</a>' in html
    assert "Log out" not in html and "Reminders" not in html


def test_an_agent_sees_the_desk_their_reminders_and_a_logout_form(client, agent):
    Notification.objects.create(agent=agent, case=CaseFactory(), kind=Notification.Kind.MENTIONED)
    client.force_login(agent.user)

    html = nav(client, reverse("cases:queue"))

    assert links(html) == {
        "Queue*": reverse("cases:queue"),
        "Log a case": reverse("cases:new"),
        "Contacts": reverse("contacts:directory"),
        "Articles": reverse("knowledge:desk_list"),
        "Reports": reverse("reports:me"),
        "Help centre": reverse("knowledge:home"),
        "Contact us": reverse("cases:contact"),
    }
    assert re.search(r'id="notifications-link">Reminders <span[^>]*>1</span></a>', html)
    assert f'<form method="post" action="{reverse("logout")}"' in html
    assert re.search(r'name="csrfmiddlewaretoken" value="[\w]{64}"', html)
    assert f'id="account-link" href="{reverse("account:page")}">Ana Silva</a>' in html


def test_the_page_an_agent_is_on_is_marked(client, agent):
    client.force_login(agent.user)

    assert "Contacts*" in links(nav(client, reverse("contacts:directory")))
    assert "Articles*" in links(nav(client, reverse("knowledge:desk_list")))
    assert "Help centre*" in links(nav(client, reverse("knowledge:home")))
    assert "Reports*" in links(nav(client, reverse("reports:me")))
    on_queue = links(nav(client, reverse("cases:new")))
    assert "Log a case*" in on_queue and "Queue" in on_queue


def test_a_manager_also_sees_the_admin_and_every_teams_reports(client, manager):
    client.force_login(manager.user)

    found = links(nav(client, reverse("knowledge:home")))

    assert found["Admin"] == reverse("admin:index")
    assert found["Reports"] == reverse("reports:page")
    assert found["Help centre*"] == reverse("knowledge:home")


def test_names_are_escaped_and_the_bar_speaks_the_visitors_language(client, agent):
    agent.user.first_name = "<b>Ana</b>"
    agent.user.save()
    client.force_login(agent.user)

    html = nav(client, reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="fr")

    assert "&lt;b&gt;Ana&lt;/b&gt; Silva" in html and "<b>" not in html
    assert "Se déconnecter" in html
