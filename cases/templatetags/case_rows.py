"""A contact's cases as table rows, written in Python (as the queue's rows are, see
cases.templatetags.queue_rows): through the template language a page of 25 rows cost
more than the rest of the contact's page."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from cases.choices import name_of
from cases.row_words import row_words
from helpdesk.lib.html import html_text

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_case_rows(context, page):
    words = {**row_words(), "case_url": context["case_url"], "agent_names": context["agent_names"]}
    return mark_safe("".join([_row(case, words) for case in page]))


def _row(case, words) -> str:
    reference = html_text(case.reference)
    link = html_text(f"{words['case_url']}{case.reference}/")
    if case.assignee_id:
        assignee = html_text(name_of(words["agent_names"], case.assignee_id, lambda: case.assignee))
    else:
        assignee = f'<span class="badge text-bg-warning">{words["unassigned"]}</span>'
    created = timezone.localtime(case.created_at)
    status = words["status"].get(case.status) or html_text(case.status)
    priority = words["priority"].get(case.priority) or case.priority
    return (
        f'<tr data-reference="{reference}">'
        f'<td><a class="reference" href="{link}">{reference}</a></td>'
        f'<td><a class="link-body-emphasis text-decoration-none" href="{link}">'
        f"{html_text(case.subject)}</a></td>"
        f'<td><span class="badge badge-status-{html_text(case.status)}">{status}</span></td>'
        f'<td class="priority-{case.priority}">{priority}</td>'
        f'<td class="text-nowrap">{assignee}</td>'
        f'<td class="text-nowrap">{created.day} {words["months"][created.month]} {created.year}'
        "</td></tr>"
    )
