"""The desk speaks the agent's language (their choice over the browser's) and shows
their time zone; customers' pages keep the browser's language."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from agents.desk_locale import DeskLocaleMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def choose(agent, language):
    agent.desk_language = language
    agent.save()


def page_language(response) -> str:
    return response.headers["Content-Language"]


def test_the_agents_desk_language_wins_over_the_browsers(desk, agent):
    choose(agent, "fr")

    response = desk.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="es")

    assert page_language(response) == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_an_agent_without_a_desk_language_gets_the_browsers(desk, agent):
    response = desk.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="es")

    assert page_language(response) == "es"


def test_a_customer_page_keeps_the_browsers_language_for_a_signed_in_agent(desk, agent):
    choose(agent, "fr")

    response = desk.get(reverse("cases:contact"), HTTP_ACCEPT_LANGUAGE="es")

    assert page_language(response) == "es"
    assert 'id="desk-language-switch"' not in response.content.decode()


def test_the_desk_shows_the_switch_with_the_agents_choice(desk, agent):
    choose(agent, "es")

    html = desk.get(reverse("contacts:directory")).content.decode()

    assert 'id="desk-language-switch"' in html
    assert (
        '<button class="dropdown-item active" type="submit" name="desk_language" value="es" '
        'lang="es" aria-current="true">español</button>'
    ) in html
    assert 'id="desk-language">ES</button>' in html
    assert '<input type="hidden" name="next" value="/desk/contacts/">' in html


def test_the_switch_saves_the_choice_and_returns_to_the_page(desk, agent):
    response = desk.post(
        reverse("account:desk_language"), {"desk_language": "fr", "next": "/desk/contacts/?q=a"}
    )

    assert response.status_code == 302
    assert response.url == "/desk/contacts/?q=a"
    agent.refresh_from_db()
    assert agent.desk_language == "fr"
    assert page_language(desk.get(response.url, HTTP_ACCEPT_LANGUAGE="en")) == "fr"


def test_the_switch_back_to_the_browsers_language(desk, agent):
    choose(agent, "fr")

    desk.post(reverse("account:desk_language"), {"desk_language": "", "next": "/desk/"})

    agent.refresh_from_db()
    assert agent.desk_language == ""
    assert page_language(desk.get("/desk/", HTTP_ACCEPT_LANGUAGE="es")) == "es"


def test_the_switch_returns_only_to_a_page_of_this_site(desk, agent):
    response = desk.post(
        reverse("account:desk_language"),
        {"desk_language": "es", "next": "https://evil.example/desk/"},
    )

    assert response.url == reverse("cases:queue")


def test_the_switch_refuses_a_language_the_desk_does_not_speak(desk, agent):
    choose(agent, "fr")

    desk.post(reverse("account:desk_language"), {"desk_language": "de", "next": "/desk/"})

    agent.refresh_from_db()
    assert agent.desk_language == "fr"


def test_the_switch_needs_the_csrf_token(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)

    response = client.post(reverse("account:desk_language"), {"desk_language": "fr"})

    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.desk_language == ""


def test_the_switch_is_for_agents(client, non_agent):
    client.force_login(non_agent)

    response = client.post(reverse("account:desk_language"), {"desk_language": "fr"})

    assert response.status_code == 403


def test_the_desk_language_costs_no_query(desk, agent, assert_queries):
    choose(agent, "fr")
    # session with user, agent, team and unread count, categories for the select
    with assert_queries(2):
        response = desk.get(reverse("cases:new"), HTTP_ACCEPT_LANGUAGE="es")
    assert page_language(response) == "fr"


def seen_by_view(request):
    """What a view sees: the language and the time zone."""
    return HttpResponse(f"{translation.get_language()} {timezone.get_current_timezone_name()}")


def through_middleware(path, user):
    request = RequestFactory().get(path)
    request.user = user
    translation.activate("es")  # as LocaleMiddleware would from the browser
    return DeskLocaleMiddleware(seen_by_view)(request).content.decode()


def test_desk_pages_show_the_agents_time_zone_and_then_let_it_go(agent, settings):
    settings.TIME_ZONE = "UTC"
    agent.time_zone = "Asia/Tokyo"
    agent.desk_language = "fr"

    assert through_middleware("/desk/", agent.user) == "fr Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "UTC"


def test_an_agent_without_a_time_zone_sees_the_desks(agent, settings):
    settings.TIME_ZONE = "Europe/Paris"

    assert through_middleware("/desk/", agent.user) == "es Europe/Paris"


def test_a_customer_page_keeps_the_desks_time_zone(agent, settings):
    settings.TIME_ZONE = "UTC"
    agent.time_zone = "Asia/Tokyo"
    agent.desk_language = "fr"

    assert through_middleware("/contact/", agent.user) == "es UTC"


def test_a_desk_page_for_someone_signed_out_or_not_an_agent_is_left_alone(non_agent, settings):
    settings.TIME_ZONE = "UTC"

    assert through_middleware("/desk/", AnonymousUser()) == "es UTC"
    assert through_middleware("/desk/", non_agent) == "es UTC"
