"""The public contact form and the page that thanks the customer for it."""

from django.conf import settings
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases import intake, staging
from cases.forms import (
    ContactForm,
)
from cases.models import (
    Case,
)
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
            case = _open_once(request, form)
            staging.staged_release(form.staged)
            contact_form_sent.send(sender=contact, request=request, case=case)
            response = redirect("cases:contact_thanks", reference=case.reference)
            submitted = [*submitted_references(request)[-19:], case.reference]
            response.set_signed_cookie(
                SUBMITTED_COOKIE,
                ",".join(dict.fromkeys(submitted)),
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


def _open_once(request, form) -> Case:
    """The case for this form's token: made now, or found if it was posted before."""
    data = form.cleaned_data
    token = data["submission_token"]

    def case_open():
        return intake.case_open_from_web(
            name=data["name"],
            email=data["email"],
            subject=data["subject"],
            body=data["message"],
            category=data["category"],
            uploads=data["attachments"],
            content_types=form.content_types,
            language=request.LANGUAGE_CODE,
            submission_token=token,
        )

    try:
        return case_open()
    except IntegrityError:
        # The same form, posted again (a double click, back and send): the token is
        # stored uniquely, so the case it made before is the answer.
        case = Case.objects.filter(submission_token=token).first()
        if case is not None:
            return case
        # Otherwise another request created this contact a moment ago: it is found now.
        return case_open()


@require_safe
def contact_thanks(request, reference):
    """Shown only to the browser that submitted the case."""
    if reference not in submitted_references(request):
        raise Http404
    case = get_object_or_404(Case.objects.select_related("contact"), pk=pk_or_404(reference))
    return render(request, "cases/contact_thanks.html", {"case": case})
