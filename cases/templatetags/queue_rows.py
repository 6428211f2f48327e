"""The queue's rows, written in Python.

A queue page is 25 rows of ten cells; through the template language each cell's
lookups, filters and translations cost more than everything else on the page. This
tag writes the same markup directly (the escaping is format_html's), once per row.
"""

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_rows(context, page):
    request = context["request"]
    now, soon, case_url = context["now"], context["soon"], context["case_url"]
    words = {
        "select": gettext("Select"),
        "unassigned": gettext("Unassigned"),
        "claim": gettext("Claim"),
    }
    back = request.get_full_path()
    rows = [_row(case, now, soon, case_url, words, back, request) for case in page]
    return mark_safe("".join(rows))


def _row(case, now, soon, case_url, words, back, request) -> str:
    reference = case.reference
    link = f"{case_url}{reference}/"
    is_open = case.is_open
    classes = ("" if case.assignee_id else "queue-row-unassigned") + (
        " queue-row-overdue" if case.due_at and case.due_at <= now and is_open else ""
    )
    contact = case.contact
    who = format_html("{}", contact.name)
    if contact.organization:
        who += format_html('<div class="small text-secondary">{}</div>', contact.organization.name)
    if case.assignee:
        assignee = format_html("{}", case.assignee.name)
    else:
        assignee = format_html(
            '<form method="post" action="{}claim/" class="d-inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}">'
            '<span class="badge text-bg-warning me-1">{}</span> '
            '<button class="btn btn-sm btn-outline-primary py-0" type="submit">{}</button>'
            "</form>",
            link,
            get_token(request),
            back,
            words["unassigned"],
            words["claim"],
        )
    activity = format_html(
        "<span>{}</span>",
        gettext("%(age)s ago")
        % {"age": timesince(case.last_activity_at, now) if case.last_activity_at else ""},
    )
    if case.last_activity_by:
        activity += format_html('<div class="text-secondary">{}</div>', case.last_activity_by)
    if case.due_at and is_open:
        urgency = (
            "text-danger fw-semibold"
            if case.due_at <= now
            else "text-warning-emphasis fw-semibold"
            if case.due_at <= soon
            else ""
        )
        due = format_html(
            '<span class="{}">{}</span>',
            urgency,
            date_format(timezone.localtime(case.due_at), "j M H:i"),
        )
    else:
        due = mark_safe('<span class="text-secondary">—</span>')
    new_reply = (
        mark_safe(' <span class="badge text-bg-primary new-reply">New reply</span>')
        if case.new_reply
        else ""
    )
    return format_html(
        '<tr class="{}" data-reference="{}">'
        '<td><input class="form-check-input" type="checkbox" name="cases" value="{}" '
        'form="bulk-form" aria-label="{} {}"></td>'
        '<td class="text-nowrap"><a class="reference" href="{}">{}</a></td>'
        '<td><a class="link-body-emphasis text-decoration-none" href="{}">{}</a>{}</td>'
        "<td>{}</td>"
        '<td><span class="badge badge-status-{}">{}</span></td>'
        '<td class="priority-{}">{}</td>'
        "<td>{}</td>"
        '<td class="small">{}</td>'
        '<td class="small text-nowrap">{}</td>'
        "</tr>",
        classes,
        reference,
        case.pk,
        words["select"],
        reference,
        link,
        reference,
        link,
        case.subject,
        new_reply,
        who,
        case.status,
        case.get_status_display(),
        case.priority,
        case.get_priority_display(),
        assignee,
        activity,
        due,
    )
