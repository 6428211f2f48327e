from django import template

from knowledge.case_suggestions import suggestions_for_case
from knowledge.rendering import clean_html
from knowledge.visitors import page_view_create

register = template.Library()


@register.filter
def sanitised(html: str):
    """Article HTML, cleaned again as it is shown: safe however it reached the database."""
    return clean_html(html or "")


@register.simple_tag
def suggestion_page_view() -> str:
    """A signed id for this rendering of the contact form (see knowledge.views.suggested)."""
    return page_view_create()


@register.simple_tag
def suggested_articles(case):
    """Articles that may answer a case, for its workspace (the desk never imports knowledge)."""
    return suggestions_for_case(case)
