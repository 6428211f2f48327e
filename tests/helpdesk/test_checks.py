"""The start-up check of SITE_URL in production."""

import pytest

from helpdesk.checks import site_url_check, site_url_problem


@pytest.mark.parametrize(
    "value",
    ["", "help.example.com", "ftp://help.example.com", "https://", "https://h.example?x=1"],
)
def test_a_missing_or_malformed_site_url_is_a_problem(value):
    assert site_url_problem(value)


@pytest.mark.parametrize("value", ["https://help.example.com", "http://127.0.0.1:8820/desk"])
def test_a_proper_site_url_is_not(value):
    assert site_url_problem(value) == ""


def test_production_warns_about_a_missing_site_url(settings):
    settings.PRODUCTION, settings.SITE_URL = True, ""

    [warning] = site_url_check()

    assert warning.id == "helpdesk.W001"
    assert "SITE_URL is not set" in warning.msg


def test_development_does_not(settings):
    settings.PRODUCTION, settings.SITE_URL = False, ""

    assert site_url_check() == []
