"""The desk's contacts: the directory, a contact's page with all their cases, owner changes."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.query import EmptyQuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agents.desk import agent_required
from cases import handover
from cases.choices import desk_choices, name_of
from cases.contact_history import contact_history
from cases.models import OPEN_STATUSES, Attachment, Case, Message
from cases.personal_data import contact_erase, contact_export
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
    return _contact_page(request, _contact_or_404(request, pk))


@agent_required
@require_http_methods(["GET", "HEAD", "POST"])
def change_owner(request, pk):
    """Give the contact another owner, on a page of its own: the list of agents with
    their teams and absences, a reason, and whether their open cases move too."""
    contact = get_object_or_404(
        Contact.objects.select_related("owner__user", "owner__backup__user"), pk=pk
    )
    form = ContactOwnerForm(request.POST or None)
    kept = desk_choices()
    form.fields["new_owner"].choices = [
        ("", form.fields["new_owner"].empty_label),
        *kept.agents_described(timezone.now()),
    ]
    if request.method == "POST" and form.is_valid():
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
    context = {"contact": contact, "owner_form": form}
    status = 400 if form.errors else 200
    return render(request, "contacts/contact_owner.html", context, status=status)


@agent_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_details(request, pk):
    """A contact's details on a page of their own: the contact's page, read on every
    case, need not carry a form an agent opens now and then."""
    contact = get_object_or_404(Contact.objects.select_related("organization"), pk=pk)
    if request.method != "POST":
        form = ContactDetailsForm(instance=contact)
        return render(request, "contacts/contact_edit.html", {"contact": contact, "form": form})
    # The form writes into its instance as it checks: the contact stays as it was read.
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
    return render(
        request, "contacts/contact_edit.html", {"contact": contact, "form": form}, status=400
    )


def _contact_or_404(request, pk):
    read = contact_history(pk, request.GET.get("page"))
    if read is None:
        raise Http404("No such contact.")
    return read


def _contact_page(request, read, status=200):
    contact = read.contact
    kept = desk_choices()
    now = timezone.now()

    def agent_name(pk, fallback):
        return name_of(kept.agent_names, pk, fallback)

    # A contact of many years may have hundreds of cases: the page shows 25 at a time,
    # newest first; the contact came with the counts of all and of the open ones.
    page = read.page
    if isinstance(Case.objects.visible_to(request.user), EmptyQuerySet):
        # Every agent sees every case today; should that change, this page shows none.
        contact.case_count = contact.open_case_count = 0
        page = Paginator((), 25).page(1)
    history = read.owner_changes
    for change in history:
        change.previous_name = agent_name(
            change.previous_owner_id, lambda change=change: change.previous_owner
        )
        change.new_name = agent_name(change.new_owner_id, lambda change=change: change.new_owner)
    owner = contact.owner
    context = {
        "contact": contact,
        "owner": {
            "name": agent_name(contact.owner_id, lambda: owner),
            "backup": owner and agent_name(owner.backup_id, lambda: owner.backup),
            "away_until": owner.away_until if owner and owner.is_away(now) else None,
        },
        "page": page,
        "agent_names": kept.agent_names,  # the rows name assignees from it
        "case_count": contact.case_count,
        "open_cases": contact.open_case_count,
        "history": history,
        # Rows link to cases by this prefix: one reverse() per page, not two per row.
        "case_url": reverse("cases:queue") + "cases/",
    }
    return render(request, "contacts/contact_detail.html", context, status=status)


def _manager_only(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only a manager exports or erases a contact's data."))


@agent_required
@require_POST
def export_data(request, pk):
    """Everything held about the contact, as one ZIP file (a manager; audited)."""
    _manager_only(request)
    contact = get_object_or_404(
        Contact.objects.select_related("organization", "owner__user"), pk=pk
    )
    archive = contact_export(contact=contact, request=request)
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"contact-{contact.pk}.zip",
        content_type="application/zip",
    )


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=gettext_lazy("Type their email address to confirm"), max_length=254
    )

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact

    def clean_confirm(self):
        typed = self.cleaned_data["confirm"].strip()
        if typed.lower() != self.contact.email.lower():
            raise forms.ValidationError(_("That is not their email address: nothing was erased."))
        return typed


@agent_required
@require_http_methods(["GET", "HEAD", "POST"])
def erase(request, pk):
    """Erase the contact's personal data, after confirmation (a manager; audited)."""
    _manager_only(request)
    contact = get_object_or_404(Contact, pk=pk)
    if contact.erased_at:
        messages.info(request, _("This contact's data was erased already."))
        return redirect("contacts:detail", pk=contact.pk)
    form = EraseForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        erased = contact_erase(contact=contact, request=request)
        text = ngettext(
            "Erased: their details, and the subject, messages and files of their case. "
            "The case stays, anonymous, for the reports.",
            "Erased: their details, and the subjects, messages and files of their "
            "%(cases)d cases. The cases stay, anonymous, for the reports.",
            erased.cases,
        )
        messages.success(request, text % {"cases": erased.cases})
        return redirect("contacts:detail", pk=contact.pk)
    cases = Case.objects.filter(contact=contact)
    context = {
        "contact": contact,
        "form": form,
        "case_count": cases.count(),
        "message_count": Message.objects.filter(case__contact=contact).count(),
        "file_count": Attachment.objects.filter(message__case__contact=contact).count(),
    }
    status = 400 if form.errors else 200
    return render(request, "contacts/contact_erase.html", context, status=status)
