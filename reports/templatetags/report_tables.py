"""Small filters for the reports page: percentages, decimals, bucket labels."""

from django import template

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
