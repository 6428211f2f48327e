from django import template
from django.utils.html import urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(is_safe=True, needs_autoescape=True)
def links(text: str, autoescape: bool = True) -> str:
    """Text with its web and email addresses as links, everything else escaped.

    Django's urlize only links http(s), www. and email addresses (never javascript:),
    marks them nofollow; a link also opens without giving the new page this one.
    """
    linked = urlize(text or "", nofollow=True, autoescape=autoescape)
    return mark_safe(linked.replace('rel="nofollow"', 'rel="noopener nofollow"'))
