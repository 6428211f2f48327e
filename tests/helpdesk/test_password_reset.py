"""The password-reset mail: its link is ours whatever Host the request claimed."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_reset_link_comes_from_site_url_not_from_the_requests_host(
    client, settings, mailoutbox
):
    settings.ALLOWED_HOSTS = ["*"]
    UserFactory(username="ana", email="ana@desk.example")

    response = client.post(
        reverse("password_reset"), {"email": "ana@desk.example"}, HTTP_HOST="evil.example"
    )

    assert response.status_code == 302
    [mail] = mailoutbox
    link = re.search(r"https?://\S+", mail.body).group()
    assert link.startswith("https://help.example.com/accounts/reset/")
    assert "evil.example" not in mail.body + mail.subject
    assert client.get(link.removeprefix("https://help.example.com"), follow=True).status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@desk.example"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []
