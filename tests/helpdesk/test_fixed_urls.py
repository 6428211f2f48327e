"""The layout's links to views without arguments are reversed once per URL configuration
and script prefix (helpdesk.templatetags.fixed_urls)."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.urls.exceptions import NoReverseMatch


def fixed(name: str) -> str:
    return Template(f"{{% load fixed_urls %}}{{% fixed_url '{name}' %}}").render(Context())


def test_it_is_what_reverse_gives():
    for name in ("cases:queue", "contacts:directory", "knowledge:home", "logout", "admin:index"):
        assert fixed(name) == reverse(name)


def test_a_script_prefix_is_kept_apart():
    plain = fixed("cases:queue")
    set_script_prefix("/helpdesk/")
    try:
        assert fixed("cases:queue") == "/helpdesk" + plain
    finally:
        set_script_prefix("/")
    assert fixed("cases:queue") == plain


@override_settings(ROOT_URLCONF="tests.helpdesk.urls_other")
def test_another_url_configuration_is_kept_apart():
    assert fixed("cases:queue") == "/elsewhere/"
    with pytest.raises(NoReverseMatch):
        fixed("contacts:directory")
