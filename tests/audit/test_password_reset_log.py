"""A password reset, asked for and done, is in the audit log."""

import re

import pytest
from django.urls import reverse

from audit.log import Action
from audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("email", ["ana@desk.example", "nobody@desk.example"])
def test_asking_for_a_reset_is_recorded_known_address_or_not(client, email):
    UserFactory(username="ana", email="ana@desk.example")

    client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR="203.0.113.3")

    (entry,) = AuditEntry.objects.filter(action=Action.PASSWORD_RESET_ASKED)
    assert (entry.detail, entry.address, entry.actor) == (email, "203.0.113.3", None)


def test_a_new_password_from_the_link_is_recorded_and_logs_in(client, mailoutbox):
    user = UserFactory(username="ana", email="ana@desk.example")
    client.post(reverse("password_reset"), {"email": "ana@desk.example"})
    link = re.search(r"https?://\S+", mailoutbox[0].body).group()
    path = re.sub(r"^https?://[^/]+", "", link)
    form = client.get(path, follow=True)
    new = {"new_password1": "a-Longer-passphrase-42", "new_password2": "a-Longer-passphrase-42"}

    done = client.post(form.redirect_chain[-1][0], new, follow=True)

    assert "Password saved" in done.content.decode()
    (entry,) = AuditEntry.objects.filter(action=Action.PASSWORD_RESET)
    assert entry.actor == user
    login = {"username": "ana", "password": "a-Longer-passphrase-42"}
    assert client.post(reverse("login"), login).status_code == 302


def test_a_weak_new_password_is_refused_by_the_validators(client, mailoutbox):
    UserFactory(username="ana", email="ana@desk.example")
    client.post(reverse("password_reset"), {"email": "ana@desk.example"})
    path = re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+", mailoutbox[0].body).group())
    form = client.get(path, follow=True)

    answer = client.post(
        form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )

    assert answer.status_code == 200
    assert "This password is too common." in answer.content.decode()
    assert not AuditEntry.objects.filter(action=Action.PASSWORD_RESET).exists()


def test_the_login_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()

    assert f'href="{reverse("password_reset")}"' in page
