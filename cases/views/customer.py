"""The customer's case page, reached by a private link. No account needed.

Every wrong, expired or revoked link, and every case this browser was not let in
to, gives the same 404. Nothing changes on a GET.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases import customer, links, mails, personal_data, staging
from cases.forms import CustomerReplyForm, LinkRequestForm, RatingForm
from cases.models import OPEN_STATUSES, Attachment, Channel, Status, parse_reference
from contacts.models import Contact
from helpdesk.lib.ratelimit import rate_limit_allows


def _private(response, referrer_policy="same-origin"):
    # Nothing about the case leaks to other sites through the Referer header or caches.
    # (Not "no-referrer" on the page itself: browsers then send "Origin: null" with its
    # forms, which CSRF protection rightly refuses.)
    response["Referrer-Policy"] = referrer_policy
    response["Cache-Control"] = "private, no-store"
    return response


def customer_link(request, token):
    """Exchange a link's token for this browser's session, then drop the token from the URL."""
    access = links.access_token_find(token)
    if access is None:
        raise Http404
    request.session.cycle_key()
    links.session_grant(request.session, access)
    target = reverse("cases:customer_case", args=[access.case.reference])
    rating = request.GET.get("rating", "")
    if rating in {"1", "2", "3", "4", "5"}:
        target += f"?rating={rating}"
    # The address with the token is never a page: it sends no Referer at all.
    return _private(redirect(target), referrer_policy="no-referrer")


def _customer_case(request, reference):
    pk = parse_reference(reference)
    case = links.session_case(request.session, pk) if pk is not None else None
    if case is None:
        raise Http404
    return case


def _page(request, case, *, reply_form=None, rating_form=None, status=200):
    conversation = (
        case.messages.filter(is_internal=False)
        .select_related("author_agent__user", "author_contact")
        .prefetch_related("attachments")
    )
    rating = (
        getattr(case, "rating", None) if case.status in (Status.RESOLVED, Status.CLOSED) else None
    )
    chosen = request.GET.get("rating", "")
    initial = {"score": int(chosen)} if chosen in {"1", "2", "3", "4", "5"} else {}
    if rating is not None and not initial:
        initial = {
            "score": rating.score,
            "comment": rating.comment,
            "recommend": rating.recommend,
        }
    context = {
        "case": case,
        "conversation": conversation,
        "reply_form": reply_form or CustomerReplyForm(),
        "rating_form": rating_form or RatingForm(initial=initial),
        "rating": rating,
        "can_reply": case.status != Status.CLOSED,
        # Nothing to rate until someone has answered.
        "can_rate": case.status in (Status.RESOLVED, Status.CLOSED)
        and case.first_response_at is not None,
        "is_open": case.status in OPEN_STATUSES,
    }
    return _private(render(request, "cases/customer_case.html", context, status=status))


@require_safe
def customer_case(request, reference):
    return _page(request, _customer_case(request, reference))


@require_POST
def customer_reply(request, reference):
    case = _customer_case(request, reference)
    form = staging.form_bound(
        CustomerReplyForm, staging.owner_case(case), request.POST, request.FILES
    )
    if not form.is_valid():
        staging.files_stage(form)
        return _page(request, case, reply_form=form, status=400)
    message = customer.case_customer_reply(
        case=case,
        contact=case.contact,
        body=form.cleaned_data["body"],
        channel=Channel.WEB,
        uploads=form.cleaned_data["attachments"],
        content_types=form.content_types,
    )
    staging.staged_release(form.staged)
    if message.case_id != case.pk:
        # A closed case: the message opened a follow-up, which this browser may see too.
        follow_up = message.case
        _token, access = links.access_token_issue(case=follow_up)
        links.session_grant(request.session, access)
        messages.success(
            request,
            _("Your message opened a new request, %(reference)s.")
            % {"reference": follow_up.reference},
        )
        return redirect("cases:customer_case", reference=follow_up.reference)
    messages.success(request, _("Thank you, your message was added."))
    return redirect("cases:customer_case", reference=case.reference)


def _act(request, reference, action, done):
    case = _customer_case(request, reference)
    try:
        action(case=case, contact=case.contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("cases:customer_case", reference=case.reference)


@require_POST
def customer_resolve(request, reference):
    return _act(
        request, reference, customer.case_customer_resolve, _("Glad it is solved. Thank you!")
    )


@require_POST
def customer_reopen(request, reference):
    return _act(
        request,
        reference,
        customer.case_customer_reopen,
        _("Your case is open again; we are on it."),
    )


@require_POST
def customer_rate(request, reference):
    case = _customer_case(request, reference)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _page(request, case, rating_form=form, status=400)
    try:
        customer.case_rate(
            case=case,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            recommend=form.cleaned_data["recommend"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, case, rating_form=form, status=400)
    messages.success(request, _("Thank you for your rating."))
    return redirect("cases:customer_case", reference=case.reference)


@require_safe
def customer_attachment(request, reference, pk):
    """An attachment of a message the customer can see, as a download."""
    case = _customer_case(request, reference)
    attachment = get_object_or_404(
        Attachment, pk=pk, message__case=case, message__is_internal=False
    )
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _private(response)


def link_request(request):
    """Ask for fresh links by email. The answer is the same whether or not we know the address."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST":
        limit = settings.LINK_REQUESTS_PER_HOUR
        if not rate_limit_allows(request, scope="links-ip", limit=limit, period=3600):
            return render(request, "cases/too_many_requests.html", status=429)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            if rate_limit_allows(
                request, scope="links-email", limit=limit, period=3600, identity=email
            ):
                contact = Contact.objects.with_email(email).first()
                if contact is not None:
                    customer.links_send(contact=contact)
            return render(request, "cases/customer_link_sent.html", {"email": email})
    # "My requests": the cases this browser already follows, then a way to all the others.
    context = {"form": form, "my_cases": links.session_cases(request.session)}
    return render(request, "cases/customer_link_request.html", context)


@require_POST
def customer_data_request(request, reference):
    """From their case page, a customer asks for a copy of their data: a link to it is
    mailed to their address (whoever holds the page may ask; only the mailbox gets it)."""
    case = _customer_case(request, reference)
    limit = settings.LINK_REQUESTS_PER_HOUR
    identity = f"contact-{case.contact_id}"
    if not rate_limit_allows(
        request, scope="data-copy", limit=limit, period=3600, identity=identity
    ):
        return render(request, "cases/too_many_requests.html", status=429)
    mails.contact_data_email(contact=case.contact, url=personal_data.data_link_create(case.contact))
    messages.success(
        request,
        _("We have mailed you a link to a copy of your data. It works for a day."),
    )
    return redirect("cases:customer_case", reference=case.reference)


@require_safe
def customer_data(request, token):
    """The copy itself, from the mailed link: a ZIP file, or the product's 404 when the
    link is forged, more than a day old, or its contact was erased since."""
    contact = personal_data.data_link_contact(token)
    if contact is None:
        raise Http404("This link does not work (any more). Ask again from your case page.")
    archive = personal_data.contact_export(
        contact=contact, request=request, how="by the customer, from the mailed link"
    )
    response = FileResponse(
        archive, as_attachment=True, filename="my-data.zip", content_type="application/zip"
    )
    return _private(response)
