"""Small filters for the reports page: percentages, one decimal, bucket labels."""

from django import template

from reports.figures import bucket_label

register = template.Library()


@register.filter
def percent(value):
    return "–" if value is None else f"{round(100 * value)}%"


@register.filter
def decimal1(value):
    return "–" if value is None else f"{value:.1f}"


@register.filter
def decimal2(value):
    return "–" if value is None else f"{value:.2f}"


@register.filter
def bucket(index):
    return bucket_label(index)
