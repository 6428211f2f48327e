"""What the site's one pagination partial (templates/_pagination.html) needs beyond Django."""

from django import template

register = template.Library()


@register.simple_tag
def page_numbers(page) -> list[int | None]:
    """The page numbers to link to, None where some are left out: 1 2 3 4 5 None 40."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [number if isinstance(number, int) else None for number in numbers]
