"""The contact pages are for agents only, and each view takes only the methods it should."""

import pytest
from django.urls import reverse

from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def every_view(contact):
    """(method, url) for each contacts view, as it is meant to be used."""
    return [
        ("get", reverse("contacts:directory")),
        ("get", reverse("contacts:detail", args=[contact.pk])),
        ("post", reverse("contacts:change_owner", args=[contact.pk])),
    ]


def test_anonymous_users_are_sent_to_login_from_every_contacts_view(client, customer):
    for method, url in every_view(customer):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(f"{reverse('login')}?next="), url


def test_logged_in_non_agents_get_403_from_every_contacts_view(client, non_agent, customer):
    client.force_login(non_agent)
    for method, url in every_view(customer):
        assert getattr(client, method)(url).status_code == 403, url


def test_deactivated_agents_are_sent_to_login(client, customer):
    former = AgentFactory(user__is_active=False)
    client.force_login(former.user)

    assert client.get(reverse("contacts:directory")).status_code == 302


def test_the_owner_page_is_shown_and_takes_a_post(client, agent, customer):
    client.force_login(agent.user)
    url = reverse("contacts:change_owner", args=[customer.pk])

    assert client.get(url).status_code == 200
    assert client.put(url).status_code == 405


def test_directory_and_contact_page_refuse_post(client, agent, customer):
    client.force_login(agent.user)

    assert client.post(reverse("contacts:directory")).status_code == 405
    assert client.post(reverse("contacts:detail", args=[customer.pk])).status_code == 405


def test_unknown_contacts_are_404(client, agent, other_agent):
    client.force_login(agent.user)

    assert client.get(reverse("contacts:detail", args=[424242])).status_code == 404
    response = client.post(
        reverse("contacts:change_owner", args=[424242]), {"new_owner": other_agent.pk}
    )
    assert response.status_code == 404


def test_contact_urls_are_the_ones_in_the_design():
    assert reverse("contacts:directory") == "/desk/contacts/"
    assert reverse("contacts:detail", args=[7]) == "/desk/contacts/7/"
    assert reverse("contacts:change_owner", args=[7]) == "/desk/contacts/7/owner/"
