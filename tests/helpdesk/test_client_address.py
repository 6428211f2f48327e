"""Which address a rate limit counts: the client's, also behind a reverse proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cases.models import Case
from helpdesk.lib.ratelimit import client_address, client_ip
from tests.cases.test_contact_form import form_data

PROXY = "10.0.0.2"


def request_from(peer: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_forwarded(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert client_address(request_from(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_a_forged_address_left_of_the_real_one_is_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert client_address(request_from(PROXY, "1.2.3.4, 198.51.100.1")) == "198.51.100.1"


def test_trusted_hops_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    forwarded = "1.2.3.4, 198.51.100.1, 10.1.1.1, 10.2.2.2"
    assert client_address(request_from(PROXY, forwarded)) == "198.51.100.1"


def test_a_header_from_a_peer_that_is_not_a_trusted_proxy_changes_nothing(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_trusted_proxy_without_the_header_is_the_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert client_address(request_from(PROXY)) == PROXY
    assert client_address(request_from(PROXY, " , ")) == PROXY


def test_ipv6_proxies_and_clients(settings):
    settings.TRUSTED_PROXIES = ["::1"]

    assert client_address(request_from("::1", "2001:db8::7")) == "2001:db8::7"


def post_contact(client, number: int, **headers):
    token = f"9d1f2c1e-0000-4000-8000-{number:012d}"
    return client.post(reverse("cases:contact"), form_data(submission_token=token), **headers)


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_their_own_contact_form_limit(client, agent, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.CONTACT_RATE_LIMIT_PER_HOUR = 1
    post_contact(client, 1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")

    second_visitor = post_contact(client, 2, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    first_again = post_contact(client, 3, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert second_visitor.status_code == 302
    assert first_again.status_code == 429
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_contact_form_limit(client, agent, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.CONTACT_RATE_LIMIT_PER_HOUR = 1
    post_contact(client, 1, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")

    forged = post_contact(client, 2, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")

    assert forged.status_code == 429
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_behind_a_proxy_link_requests_are_limited_per_visitor(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LINK_REQUESTS_PER_HOUR = 1
    url = reverse("cases:customer_link_request")
    client.post(url, {"email": "a@example.org"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1")

    other = client.post(
        url, {"email": "b@example.org"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    same = client.post(
        url, {"email": "c@example.org"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1"
    )

    assert other.status_code == 200
    assert same.status_code == 429


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.9"}, "203.0.113.9"),
        ({"REMOTE_ADDR": "2001:db8::1"}, "2001:db8::1"),
        ({}, None),  # a request made in code: force_login's
        ({"REMOTE_ADDR": "not-an-address"}, None),
    ],
)
def test_client_ip_is_an_address_or_none(rf, meta, expected):
    request = rf.get("/")
    request.META.pop("REMOTE_ADDR", None)
    request.META.update(meta)

    assert client_ip(request) == expected
