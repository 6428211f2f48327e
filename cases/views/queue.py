"""The agent's queue: filtered views, saved views, claiming and bulk changes."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from agents.desk import agent_required, next_url
from cases import desk
from cases.choices import choices_offer, desk_choices
from cases.filters import CaseFilter
from cases.forms import (
    BulkForm,
    SavedViewForm,
)
from cases.models import Case, Notification, SavedView
from cases.views import pk_or_404
from helpdesk.lib.paging import BoundedPaginator

OPEN_QUERY = "status=new&status=open&status=waiting"
# Columns the queue sorts by when their header is clicked, each with the direction a
# first click gives (the most pressing first); a second click reverses it. The values
# are the filter's allowlisted sort keys (cases.filters.CaseFilter.sort).
SORTABLE = {"priority": "-priority", "updated": "-updated", "due": "due", "created": "created"}


def sort_links(current: str) -> dict:
    """For each sortable column: the sort a click on its header asks for, and its state."""
    links = {}
    for column, first in SORTABLE.items():
        if current.lstrip("-") == column:
            state = "descending" if current.startswith("-") else "ascending"
            target = column if current.startswith("-") else f"-{column}"
        else:
            state, target = "none", first
        links[column] = {"sort": target, "state": state}
    return links


def builtin_views(agent) -> list[tuple[str, str]]:
    """The queue views every agent has; the first is the default."""
    views = [(_("My open"), f"assignee=me&{OPEN_QUERY}")]
    if agent.team_id:
        views.append(
            (_("Unassigned in my team"), f"assignee=none&team={agent.team_id}&{OPEN_QUERY}")
        )
    views += [(_("All open"), OPEN_QUERY), (_("Overdue"), "due=overdue")]
    return views


def _queue_query(request) -> QueryDict:
    """The filters asked for, without the page number; the default view when none."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        # Empty fields of the filter form are no filter: drop them so the URL stays
        # short and matches the built-in views.
        kept = [value for value in values if value.strip()]
        if key != "page" and kept:
            query.setlist(key, kept)
    if not query:
        query = QueryDict(builtin_views(request.agent)[0][1], mutable=True)
    return query


@agent_required
@require_safe
def queue(request):
    """The queue: filters in the URL, saved views, claim and bulk actions."""
    agent = request.agent
    query = _queue_query(request)
    # Rows with a customer's message this agent has not seen yet stand out.
    unseen_reply = Notification.objects.filter(
        case=OuterRef("pk"),
        agent=agent,
        kind=Notification.Kind.CUSTOMER_WROTE,
        read_at__isnull=True,
    )
    cases = (
        Case.objects.visible_to(request.user).for_queue().annotate(new_reply=Exists(unseen_reply))
    )
    kept = desk_choices()
    filterset = CaseFilter(query, queryset=cases, agent=agent, kept=kept)
    bulk_form = BulkForm(auto_id="bulk-%s")  # its own ids: the filter form has the same names
    choices_offer(bulk_form, kept, assignee="agents")
    number = request.GET.get("page")
    # A text search counts only as far as the page after this one, in the page's order:
    # checking each case's words is what a search costs, and it says "more than 50" as
    # well as a total.
    searched = bool(query.get("q", "").strip())
    page = BoundedPaginator(
        filterset.qs, 25, page=number, bound=0 if searched else None, count_in_order=searched
    ).get_page(number)
    current = query.urlencode()
    return render(
        request,
        "cases/queue.html",
        {
            "filter": filterset,
            "page": page,
            # Page links keep the filters as the queue reads them, the default view's too.
            "page_query": query,
            "sorts": sort_links(query.get("sort", "")),
            "views": [(name, q, q == current) for name, q in builtin_views(agent)],
            "saved_views": [(view, view.query == current) for view in agent.saved_views.all()],
            "save_form": SavedViewForm(initial={"query": current}),
            "bulk_form": bulk_form,
            "now": timezone.now(),
            "soon": timezone.now() + timedelta(hours=1),
            # Rows link to cases by this prefix: one reverse() per page, not three per row.
            "case_url": reverse("cases:queue") + "cases/",
            # Rows name their assignees from the kept lists, not by joining each case's.
            "agent_names": kept.agent_names,
        },
    )


def _back_to_queue(request):
    return redirect(next_url(request, "cases:queue"))


@agent_required
@require_POST
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        name, query = form.cleaned_data["name"], form.cleaned_data["query"]
        _view, created = SavedView.objects.update_or_create(
            agent=request.agent, name=name, defaults={"query": query}
        )
        text = _("Saved the view “%(name)s”.") if created else _("Updated “%(name)s”.")
        messages.success(request, text % {"name": name})
        return redirect(f"{reverse('cases:queue')}?{query}")
    messages.error(request, _("Give the view a name of at most 60 characters."))
    return _back_to_queue(request)


@agent_required
@require_POST
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk, agent=request.agent)
    view.delete()
    messages.success(request, _("Removed the view “%(name)s”.") % {"name": view.name})
    return redirect("cases:queue")


@agent_required
@require_POST
def case_claim(request, reference):
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk_or_404(reference))
    try:
        desk.case_claim(case=case, agent=request.agent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            format_html(
                _('<a href="{url}">{reference}</a> is yours now.'),
                url=reverse("cases:detail", args=[case.reference]),
                reference=case.reference,
            ),
        )
    return _back_to_queue(request)


@agent_required
@require_POST
def cases_bulk(request):
    form = BulkForm(request.POST)
    form.fields["cases"].queryset = Case.objects.visible_to(request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back_to_queue(request)
    data = form.cleaned_data
    try:
        changed = desk.cases_bulk_update(
            cases=list(data["cases"]),
            actor=request.user,
            action=data["action"],
            assignee=data["assignee"],
            status=data["status"],
            priority=data["priority"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Changed %(changed)s of %(count)s selected cases.",
                "Changed %(changed)s of %(count)s selected cases.",
                len(data["cases"]),
            )
            % {"changed": changed, "count": len(data["cases"])},
        )
    return _back_to_queue(request)
