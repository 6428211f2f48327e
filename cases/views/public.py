"""The public contact form and the page that thanks the customer for it."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases import staging
from cases.contact_form import Sent, Submitted, contact_form_submit
from cases.forms import ContactForm
from cases.intake import FormPost
from cases.models import AcknowledgementWindow, Case
from cases.signals import contact_form_sent
from cases.views import pk_or_404
from helpdesk.lib.ratelimit import rate_limit_allows

# The thanks page shows only in the browser that sent the form: a signed cookie lists
# the references it sent (no session, so sending the form writes no session row).
SUBMITTED_COOKIE = "hd_submitted"
SUBMITTED_SALT = "cases.contact-form-sent"
SUBMITTED_MAX_AGE = 14 * 24 * 3600


def submitted_references(request) -> list[str]:
    value = request.get_signed_cookie(
        SUBMITTED_COOKIE, default="", salt=SUBMITTED_SALT, max_age=SUBMITTED_MAX_AGE
    )
    return value.split(",") if value else []


def contact(request):
    """The public contact form."""
    if request.method == "POST":
        allowed = rate_limit_allows(
            request, scope="contact", limit=settings.CONTACT_RATE_LIMIT_PER_HOUR, period=3600
        )
        owner = staging.owner_contact_form(request.POST)
        form = staging.form_bound(ContactForm, owner, request.POST, request.FILES)
        if not allowed:
            # The form comes back with what was typed, never a dead end; new files are not
            # kept past the limit (it guards the disk too), so they are named instead.
            staging.files_stage(form)
            context = {"form": form, "too_many": True}
            return render(request, "cases/contact.html", context, status=429)
        if form.is_bot:
            # A browser's autofill may fill the hidden field too: show it, keep the rest.
            form.is_valid()
            form.add_error("website", _("Empty this field, then send the form again."))
            staging.files_stage(form)
            return render(request, "cases/contact.html", {"form": form}, status=400)
        if form.is_valid():
            submitted = _submit(request, form)
            case = submitted.case
            staging.staged_release(form.staged)
            if submitted.sent in Sent.OPENED:
                contact_form_sent.send(sender=contact, request=request, case=case)
            url = reverse("cases:contact_thanks", args=[case.reference])
            if submitted.sent not in (Sent.NEW, Sent.SAME):
                # The thanks page says what this post did (and names the earlier case).
                query = {"sent": submitted.sent}
                if submitted.earlier is not None:
                    query["earlier"] = submitted.earlier.reference
                url += "?" + urlencode(query)
            sent = [*submitted_references(request)[-19:], case.reference]
            response = redirect(url)
            response.set_signed_cookie(
                SUBMITTED_COOKIE,
                ",".join(dict.fromkeys(sent)),
                salt=SUBMITTED_SALT,
                max_age=SUBMITTED_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
        staging.files_stage(form)
    else:
        form = ContactForm(initial={"subject": request.GET.get("subject", "")[:200]})
    return render(request, "cases/contact.html", {"form": form})


def _submit(request, form) -> Submitted:
    data = form.cleaned_data
    return contact_form_submit(
        form_post=FormPost(token=data["submission_token"], digest=form.content_digest()),
        name=data["name"],
        email=data["email"],
        subject=data["subject"],
        body=data["message"],
        category=data["category"],
        uploads=data["attachments"],
        content_types=form.content_types,
        language=request.LANGUAGE_CODE,
    )


@require_safe
def contact_thanks(request, reference):
    """Shown only to the browser that submitted the case."""
    sent_here = submitted_references(request)
    if reference not in sent_here:
        raise Http404
    held = AcknowledgementWindow.held_cases.through.objects.filter(case_id=OuterRef("pk"))
    case = get_object_or_404(
        Case.objects.select_related("contact").annotate(acknowledgement_held=Exists(held)),
        pk=pk_or_404(reference),
    )
    # What the post did, from the redirect; an earlier case is named only if this browser
    # sent it too.
    sent = request.GET.get("sent", Sent.NEW)
    earlier = request.GET.get("earlier", "")
    context = {
        "case": case,
        "sent": sent if sent in Sent.ALL else Sent.NEW,
        "earlier": earlier if earlier in sent_here and earlier != reference else "",
    }
    return render(request, "cases/contact_thanks.html", context)
