"""A case an agent logs from a call, a chat, a visit or social media."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agents.desk import agent_required
from cases import intake, staging
from cases.forms import (
    LogCaseForm,
)
from contacts.models import Contact


@agent_required
def case_new(request):
    """Log a case from the phone, a chat, a visit or social media."""
    query = request.GET.get("q", "").strip()[:200]
    matches = Contact.objects.search(query).select_related("organization")[:10] if query else []
    if request.method == "POST":
        owner = staging.owner_agent(request.user)
        form = staging.form_bound(LogCaseForm, owner, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            case = intake.case_log(
                agent=request.agent,
                contact=data["contact"],
                new_contact={
                    "name": data["new_name"],
                    "email": data["new_email"],
                    "phone": data["new_phone"],
                },
                channel=data["channel"],
                category=data["category"],
                priority=data["priority"],
                subject=data["subject"],
                body=data["body"],
                uploads=data["attachments"],
                content_types=form.content_types,
            )
            staging.staged_release(form.staged)
            messages.success(request, _("%(reference)s logged.") % {"reference": case.reference})
            return redirect("cases:detail", reference=case.reference)
        staging.files_stage(form)
        chosen = form.cleaned_data.get("contact") if hasattr(form, "cleaned_data") else None
    else:
        chosen = None
        contact_id = request.GET.get("contact", "")
        if contact_id.isdigit():
            chosen = Contact.objects.filter(pk=contact_id).first()
        form = LogCaseForm(initial={"contact": chosen.pk if chosen else None})
    return render(
        request,
        "cases/case_new.html",
        {"form": form, "query": query, "matches": matches, "chosen": chosen},
    )
