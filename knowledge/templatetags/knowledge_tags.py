from django import template

from knowledge.rendering import clean_html

register = template.Library()


@register.filter
def sanitised(html: str):
    """Article HTML, cleaned again as it is shown: safe however it reached the database."""
    return clean_html(html or "")
