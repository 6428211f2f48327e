"""The queue's rows, written in Python.

A queue page is 25 rows of ten cells; through the template language each cell's
lookups, filters and translations cost more than everything else on the page. This
tag writes the same markup directly: each text escaped once (as conditional_escape
would), and the words every row repeats (status and priority names, month names,
the CSRF token) looked up once a page.
"""

from html import escape

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

from cases.models import Priority, Status

register = template.Library()


def _e(text) -> str:
    """Text for HTML: safe text as it is, anything else escaped."""
    return str(text) if hasattr(text, "__html__") else escape(str(text))


@register.simple_tag(takes_context=True)
def queue_rows(context, page):
    request = context["request"]
    words = {
        "now": context["now"],
        "soon": context["soon"],
        "case_url": context["case_url"],
        "select": _e(gettext("Select")),
        "unassigned": _e(gettext("Unassigned")),
        "claim": _e(gettext("Claim")),
        "ago": gettext("%(age)s ago"),
        "back": _e(request.get_full_path()),
        "status": {value: _e(label) for value, label in Status.choices},
        "priority": {value: _e(label) for value, label in Priority.choices},
        # date_format's "M": the month's three letters, title-cased, in the page's language
        "months": {number: str(name).title() for number, name in MONTHS_3.items()},
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
    who = _e(contact.name)
    if contact.organization:
        who += f'<div class="small text-secondary">{_e(contact.organization.name)}</div>'
    if case.assignee_id:
        name = words["agent_names"].get(case.assignee_id)
        # An agent added since the names were kept: read (rare; the lists drop on change).
        assignee = _e(name if name is not None else case.assignee.name)
    else:
        if words["token"] is None:
            words["token"] = _e(get_token(request))
        assignee = (
            f'<form method="post" action="{_e(link)}claim/" class="d-inline">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{words["token"]}">'
            f'<input type="hidden" name="next" value="{words["back"]}">'
            f'<span class="badge text-bg-warning me-1">{words["unassigned"]}</span> '
            f'<button class="btn btn-sm btn-outline-primary py-0" type="submit">'
            f"{words['claim']}</button></form>"
        )
    age = timesince(case.last_activity_at, now) if case.last_activity_at else ""
    activity = f"<span>{_e(words['ago'] % {'age': age})}</span>"
    if case.last_activity_by:
        activity += f'<div class="text-secondary">{_e(case.last_activity_by)}</div>'
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
        due = f'<span class="{urgency}">{_e(when)}</span>'
    else:
        due = '<span class="text-secondary">—</span>'
    new_reply = (
        ' <span class="badge text-bg-primary new-reply">New reply</span>' if case.new_reply else ""
    )
    reference, link = _e(reference), _e(link)
    status = words["status"].get(case.status) or _e(case.status)
    priority = words["priority"].get(case.priority) or case.priority
    return (
        f'<tr class="{classes}" data-reference="{reference}">'
        f'<td><input class="form-check-input" type="checkbox" name="cases" value="{case.pk}" '
        f'form="bulk-form" aria-label="{words["select"]} {reference}"></td>'
        f'<td class="text-nowrap"><a class="reference" href="{link}">{reference}</a></td>'
        f'<td><a class="link-body-emphasis text-decoration-none" href="{link}">'
        f"{_e(case.subject)}</a>{new_reply}</td>"
        f"<td>{who}</td>"
        f'<td><span class="badge badge-status-{_e(case.status)}">'
        f"{status}</span></td>"
        f'<td class="priority-{case.priority}">{priority}</td>'
        f"<td>{assignee}</td>"
        f'<td class="small">{activity}</td>'
        f'<td class="small text-nowrap">{due}</td>'
        "</tr>"
    )
