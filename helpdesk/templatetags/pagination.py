"""The site's one pagination, written in Python: `{% pagination %}` in
templates/_pagination.html. Through the template language its nine links, each with its
own {% querystring %}, cost a list page about a millisecond."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from helpdesk.lib.html import html_text

register = template.Library()


@register.simple_tag(takes_context=True)
def pagination(context) -> str:
    """Links to the pages of `page` (a Page), the current one marked, nothing when there
    is one page. Links keep the query string (filters, search) and change only the page
    number; a view that normalizes its filters passes them as `page_query`, a QueryDict,
    to be used instead of the request's."""
    page = context["page"]
    if not page.has_other_pages():
        return ""
    params = (context.get("page_query") or context["request"].GET).copy()

    def href(number: int) -> str:
        params["page"] = number
        return html_text(f"?{params.urlencode()}")

    previous, following = html_text(gettext("Previous")), html_text(gettext("Next"))
    word = html_text(gettext("Page"))
    items = []
    if page.has_previous():
        items.append(
            f'<li class="page-item"><a class="page-link" rel="prev"'
            f' href="{href(page.number - 1)}">{previous}</a></li>'
        )
    else:
        items.append(
            f'<li class="page-item disabled"><span class="page-link">{previous}</span></li>'
        )
    for number in page_numbers(page):
        if number is None:
            items.append('<li class="page-item disabled"><span class="page-link">…</span></li>')
        elif number == page.number:
            total = html_text(gettext("of %(total)s") % {"total": page.paginator.num_pages})
            items.append(
                f'<li class="page-item active"><a class="page-link" aria-current="page"'
                f' href="{href(number)}"><span class="visually-hidden">{word} </span>{number}'
                f'<span class="visually-hidden"> {total}</span></a></li>'
            )
        else:
            items.append(
                f'<li class="page-item"><a class="page-link" href="{href(number)}">'
                f'<span class="visually-hidden">{word} </span>{number}</a></li>'
            )
    if page.has_next():
        items.append(
            f'<li class="page-item"><a class="page-link" rel="next"'
            f' href="{href(page.number + 1)}">{following}</a></li>'
        )
    else:
        items.append(
            f'<li class="page-item disabled"><span class="page-link">{following}</span></li>'
        )
    label = html_text(gettext("Pages"))
    return mark_safe(
        f'<nav class="mt-3" aria-label="{label}">\n  <ul class="pagination flex-wrap">\n    '
        + "\n    ".join(items)
        + "\n  </ul>\n</nav>\n"
    )


def page_numbers(page) -> list[int | None]:
    """The page numbers to link to, None where some are left out: 1 2 3 4 5 None 40."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [number if isinstance(number, int) else None for number in numbers]
