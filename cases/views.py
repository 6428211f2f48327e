from django.conf import settings
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from cases import services
from cases.forms import ContactForm
from cases.models import Attachment, Case, parse_reference
from helpdesk.desk import agent_required
from helpdesk.ratelimit import rate_limit_allows

SUBMITTED_KEY = "submitted_cases"


def contact(request):
    """The public contact form."""
    if request.method == "POST":
        allowed = rate_limit_allows(
            request, scope="contact", limit=settings.CONTACT_RATE_LIMIT_PER_HOUR, period=3600
        )
        form = ContactForm(request.POST, request.FILES)
        if not allowed or form.is_bot:
            return render(request, "cases/too_many_requests.html", status=429)
        if form.is_valid():
            case = _open_once(request, form)
            submitted = request.session.get(SUBMITTED_KEY, [])[-19:]
            request.session[SUBMITTED_KEY] = [*submitted, case.reference]
            return redirect("cases:contact_thanks", reference=case.reference)
    else:
        form = ContactForm(initial={"subject": request.GET.get("subject", "")[:200]})
    return render(request, "cases/contact.html", {"form": form})


def _open_once(request, form) -> Case:
    """The case for this form's token: made now, or found if it was posted before."""
    data = form.cleaned_data
    token = data["submission_token"]
    existing = Case.objects.filter(submission_token=token).first()
    if existing is not None:
        return existing
    try:
        return services.case_open_from_web(
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
    except IntegrityError:
        # The same form, posted twice at once: the other request made the case.
        return Case.objects.get(submission_token=token)


@require_safe
def contact_thanks(request, reference):
    """Shown only to the browser that submitted the case."""
    if reference not in request.session.get(SUBMITTED_KEY, []):
        raise Http404
    case = get_object_or_404(Case.objects.select_related("contact"), pk=_pk(reference))
    return render(request, "cases/contact_thanks.html", {"case": case})


def _pk(reference: str) -> int:
    pk = parse_reference(reference)
    if pk is None:
        raise Http404
    return pk


@agent_required
@require_safe
def queue(request):
    """The agent's desk: their own cases and their team's unassigned ones, newest first."""
    cases = (
        Case.objects.visible_to(request.user)
        .open()
        .for_desk_of(request.agent)
        .for_queue()
        .order_by("-created_at", "-pk")
    )
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(request, "cases/queue.html", {"page": page})


@agent_required
@require_safe
def case_detail(request, reference):
    case = get_object_or_404(
        Case.objects.visible_to(request.user).for_workspace(), pk=_pk(reference)
    )
    messages = case.messages.select_related(
        "author_agent__user", "author_contact"
    ).prefetch_related("attachments")
    events = case.events.select_related("actor")
    return render(
        request, "cases/case_detail.html", {"case": case, "messages": messages, "events": events}
    )


@agent_required
@require_safe
def attachment_download(request, pk):
    """Attachments are served only here, to agents who may see the case, as downloads."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("message"),
        pk=pk,
        message__case__in=Case.objects.visible_to(request.user),
    )
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
