"""Small filters for the reports page (percentages, decimals, bucket labels), and its
data tables."""

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from helpdesk.lib.html import html_text
from reports.figures import bucket_label, number_text, percent_text

register = template.Library()


@register.filter
def percent(value):
    return percent_text(value)


@register.filter
def decimal1(value):
    return number_text(value, 1)


@register.filter
def decimal2(value):
    return number_text(value, 2)


@register.filter
def bucket(index):
    return bucket_label(index)


@register.simple_tag
def data_table(title, table):
    """The figures behind a chart as a table, folded under "Show the figures as a table":
    written in Python, as the queue's rows are. Through the template language the page's
    five such tables (two with a row per day of the period) were most of the time of a
    kept report's view. Each cell as
    `{{ cell|default_if_none:"–" }}` would show it (the row's first cell as `{{ cell }}`),
    each distinct value localized once."""
    shown: dict = {}

    def cell(value, *, first: bool = False) -> str:
        if value is None and not first:
            return "–"
        key = (type(value), value)
        text = shown.get(key)
        if text is None:
            text = shown[key] = html_text(localize(value))
        return text

    header = "".join(f'<th scope="col">{html_text(name)}</th>' for name in table["header"])
    rows = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{cell(value, first=True)}</th>'
            if index == 0
            else f"<td>{cell(value)}</td>"
            for index, value in enumerate(row)
        )
        + "</tr>"
        for row in table["rows"]
    )
    return mark_safe(
        '<details class="report-data small">\n'
        f"  <summary>{html_text(gettext('Show the figures as a table'))}</summary>\n"
        '  <table class="table table-sm mt-2">\n'
        f'    <caption class="visually-hidden">{html_text(title)}</caption>\n'
        f"    <thead><tr>{header}</tr></thead>\n"
        f"    <tbody>{rows}</tbody>\n"
        "  </table>\n"
        "</details>"
    )
