"""`{% fixed_url 'name' %}`: the URL of a view that takes no arguments, reversed once.

The layout links to a dozen such views on every page, and each {% url %} walks the
URL resolver again (about a tenth of the floor page's time). Such a URL changes only
with the URL configuration or the script prefix, so it is kept per both.
"""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    return _reversed(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.lru_cache(maxsize=256)
def _reversed(name: str, urlconf: str, prefix: str) -> str:
    # the prefix is part of the key: reverse() reads it from the thread
    return reverse(name, urlconf=urlconf)
