"""Where a form sends the browser next: a page of this site, never another."""

import pytest
from django.test import RequestFactory

from agents.desk import next_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/desk/?status=open", "/desk/?status=open"),
        ("https://evil.example/", "/desk/"),
        ("//evil.example/", "/desk/"),
        ("javascript:alert(1)", "/desk/"),
        ("", "/desk/"),
    ],
)
def test_only_a_page_of_this_site_is_followed(given, expected):
    posted = RequestFactory().post("/", {"next": given})
    asked = RequestFactory().get("/", {"next": given})

    assert next_url(posted, "cases:queue") == expected
    assert next_url(asked, "cases:queue") == expected
