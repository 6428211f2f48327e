"""The queue's rows, written in Python.

A queue page is 25 rows of ten cells; through the template language each cell's
lookups, filters and translations cost more than everything else on the page. This
tag writes the same markup directly: each text escaped once (as conditional_escape
would), the words every row repeats (status and priority names, month names) translated
once a language (cases.row_words), and the CSRF token looked up once a page.
"""

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from cases.choices import name_of
from cases.row_words import row_words
from helpdesk.lib.html import html_text

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_rows(context, page):
    request = context["request"]
    words = {
        **row_words(),
        "now": context["now"],
        "soon": context["soon"],
        "case_url": context["case_url"],
        "back": html_text(request.get_full_path()),
        "token": None,
        "agent_names": context["agent_names"],
    }
    return mark_safe("".join([_row(case, words, request) for case in page]))


def _row(case, words, request) -> str:
    now, soon = words["now"], words["soon"]
    reference = case.reference
    link = f"{words['case_url']}{reference}/"
    is_open = case.is_open
    classes = ("" if case.assignee_id else "queue-row-unassigned") + (
        " queue-row-overdue" if case.due_at and case.due_at <= now and is_open else ""
    )
    contact = case.contact
    who = html_text(contact.name)
    if contact.organization:
        who += f'<div class="small text-secondary">{html_text(contact.organization.name)}</div>'
    if case.assignee_id:
        assignee = html_text(name_of(words["agent_names"], case.assignee_id, lambda: case.assignee))
    else:
        if words["token"] is None:
            words["token"] = html_text(get_token(request))
        assignee = (
            f'<form method="post" action="{html_text(link)}claim/" class="d-inline">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{words["token"]}">'
            f'<input type="hidden" name="next" value="{words["back"]}">'
            f'<span class="badge text-bg-warning me-1">{words["unassigned"]}</span> '
            f'<button class="btn btn-sm btn-outline-primary py-0" type="submit">'
            f"{words['claim']}</button></form>"
        )
    age = timesince(case.last_activity_at, now) if case.last_activity_at else ""
    activity = f"<span>{html_text(words['ago'] % {'age': age})}</span>"
    if case.last_activity_by:
        activity += f'<div class="text-secondary">{html_text(case.last_activity_by)}</div>'
    if case.due_at and is_open:
        urgency = (
            "text-danger fw-semibold"
            if case.due_at <= now
            else "text-warning-emphasis fw-semibold"
            if case.due_at <= soon
            else ""
        )
        at = timezone.localtime(case.due_at)
        when = f"{at.day} {words['months'][at.month]} {at:%H:%M}"
        due = f'<span class="{urgency}">{html_text(when)}</span>'
    else:
        due = '<span class="text-secondary">—</span>'
    new_reply = (
        ' <span class="badge text-bg-primary new-reply">New reply</span>' if case.new_reply else ""
    )
    reference, link = html_text(reference), html_text(link)
    status = words["status"].get(case.status) or html_text(case.status)
    priority = words["priority"].get(case.priority) or case.priority
    return (
        f'<tr class="{classes}" data-reference="{reference}">'
        f'<td><input class="form-check-input" type="checkbox" name="cases" value="{case.pk}" '
        f'form="bulk-form" aria-label="{words["select"]} {reference}"></td>'
        f'<td class="text-nowrap"><a class="reference" href="{link}">{reference}</a></td>'
        f'<td><a class="link-body-emphasis text-decoration-none" href="{link}">'
        f"{html_text(case.subject)}</a>{new_reply}</td>"
        f"<td>{who}</td>"
        f'<td><span class="badge badge-status-{html_text(case.status)}">'
        f"{status}</span></td>"
        f'<td class="priority-{case.priority}">{priority}</td>'
        f"<td>{assignee}</td>"
        f'<td class="small">{activity}</td>'
        f'<td class="small text-nowrap">{due}</td>'
        "</tr>"
    )
