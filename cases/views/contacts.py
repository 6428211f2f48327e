"""The desk's contacts: the directory, a contact's page with all their cases, owner changes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from agents.desk import agent_required
from cases import handover
from cases.models import OPEN_STATUSES, Case
from contacts.forms import ContactDetailsForm, ContactOwnerForm, ContactSearchForm
from contacts.models import Contact
from contacts.services import contact_update


@agent_required
@require_safe
def directory(request):
    """Every contact by name, narrowed by a search over name, email, phone and organization."""
    form = ContactSearchForm(request.GET)
    contacts = Contact.objects.for_directory().annotate(
        open_cases=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES))
    )
    if form.is_valid():
        query = form.cleaned_data["q"]
        contacts = contacts.search(query)
    else:
        # Only a query with a NUL character is invalid, and no contact has one.
        query = ""
        contacts = contacts.none()
    page = Paginator(contacts, 25).get_page(request.GET.get("page"))
    return render(request, "contacts/directory.html", {"form": form, "page": page, "q": query})


@agent_required
@require_safe
def detail(request, pk):
    contact = get_object_or_404(Contact.objects.for_page(), pk=pk)
    return _contact_page(request, contact, ContactOwnerForm())


@agent_required
@require_POST
def change_owner(request, pk):
    contact = get_object_or_404(Contact.objects.for_page(), pk=pk)
    form = ContactOwnerForm(request.POST)
    if form.is_valid():
        try:
            change, moved = handover.contact_owner_change(
                contact=contact, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error("new_owner", error)
        else:
            text = _("%(owner)s now owns %(contact)s.") % {
                "owner": change.new_owner.name,
                "contact": contact.name,
            }
            if moved:
                text += " " + ngettext(
                    "%(count)d open case moved to them.",
                    "%(count)d open cases moved to them.",
                    moved,
                ) % {"count": moved}
            messages.success(request, text)
            return redirect("contacts:detail", pk=contact.pk)
    return _contact_page(request, contact, form, status=400)


@agent_required
@require_POST
def edit_details(request, pk):
    contact = get_object_or_404(Contact.objects.for_page(), pk=pk)
    form = ContactDetailsForm(request.POST, instance=Contact.objects.get(pk=pk))
    if form.is_valid():
        try:
            contact_update(contact=contact, fields=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The details of %(name)s were saved.") % {"name": form.cleaned_data["name"]},
            )
            return redirect("contacts:detail", pk=contact.pk)
    return _contact_page(request, contact, ContactOwnerForm(), status=400, details_form=form)


def _contact_page(request, contact, owner_form, status=200, details_form=None):
    cases = Case.objects.visible_to(request.user).filter(contact=contact)
    # A contact of many years may have hundreds of cases: the page shows 25 at a time,
    # newest first, and counts them all (and the open ones) in one indexed query.
    counts = cases.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES))
    )
    paginator = Paginator(cases.select_related("assignee__user").order_by("-created_at", "-pk"), 25)
    paginator.count = counts["total"]
    page = paginator.get_page(request.GET.get("page"))
    history = contact.owner_changes.select_related(
        "previous_owner__user", "new_owner__user", "actor"
    ).order_by("-created_at", "-pk")
    context = {
        "contact": contact,
        "page": page,
        "case_count": counts["total"],
        "open_cases": counts["open"],
        "history": history,
        "owner_form": owner_form,
        "details_form": details_form or ContactDetailsForm(instance=contact),
        # Rows link to cases by this prefix: one reverse() per page, not two per row.
        "case_url": reverse("cases:queue") + "cases/",
    }
    return render(request, "contacts/contact_detail.html", context, status=status)
