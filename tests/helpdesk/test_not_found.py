"""A missing page is the product's own 404, with a way to a fresh link, in every environment."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
def test_a_wrong_customer_link_shows_the_products_404_with_a_way_to_a_fresh_link(
    client, settings, debug
):
    settings.DEBUG = debug

    response = client.get(reverse("cases:customer_link", args=["not-a-real-token"]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert f'href="{reverse("cases:customer_link_request")}"' in page
    assert "Page not found at" not in page


@pytest.mark.parametrize("debug", [False, True])
def test_an_address_that_matches_no_page_shows_the_products_404(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "urlpatterns" not in response.content.decode()


def test_a_case_page_the_browser_has_no_link_for_is_the_same_404(client, settings):
    settings.DEBUG = True

    response = client.get(reverse("cases:customer_case", args=["HD-000001"]))

    assert response.status_code == 404
    assert "Get a fresh link to your case" in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v1/cases/HD-1/attachments/null/"])
def test_under_the_api_a_missing_address_is_a_json_404(client, settings, debug, path):
    settings.DEBUG = debug

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
