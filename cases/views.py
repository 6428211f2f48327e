from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from cases import portal, services
from cases.filters import CaseFilter
from cases.forms import (
    BulkForm,
    CaseUpdateForm,
    ContactForm,
    EscalateForm,
    LogCaseForm,
    MergeForm,
    ReplyForm,
    SavedViewForm,
)
from cases.guide import canned_fill, phrases_found
from cases.models import (
    Attachment,
    CannedAnswer,
    Case,
    CaseEvent,
    Notification,
    Phrase,
    SavedView,
    Status,
    parse_reference,
)
from contacts.models import Contact
from helpdesk.desk import agent_required
from helpdesk.ratelimit import rate_limit_allows
from knowledge.models import Article
from knowledge.visitors import case_submitted as knowledge_case_submitted

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
            knowledge_case_submitted(request, case)  # opened suggestions did not deflect it
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


OPEN_QUERY = "status=new&status=open&status=waiting"


def builtin_views(agent) -> list[tuple[str, str]]:
    """The queue views every agent has; the first is the default."""
    views = [("My open", f"assignee=me&{OPEN_QUERY}")]
    if agent.team_id:
        views.append(("Unassigned in my team", f"assignee=none&team={agent.team_id}&{OPEN_QUERY}"))
    views += [("All open", OPEN_QUERY), ("Overdue", "due=overdue")]
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
    filterset = CaseFilter(
        query, queryset=Case.objects.visible_to(request.user).for_queue(), agent=agent
    )
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    current = query.urlencode()
    return render(
        request,
        "cases/queue.html",
        {
            "filter": filterset,
            "page": page,
            "query": current,
            "views": [(name, q, q == current) for name, q in builtin_views(agent)],
            "saved_views": [(view, view.query == current) for view in agent.saved_views.all()],
            "save_form": SavedViewForm(initial={"query": current}),
            "bulk_form": BulkForm(),
            "now": timezone.now(),
            "soon": timezone.now() + timedelta(hours=1),
            # Rows link to cases by this prefix: one reverse() per page, not three per row.
            "case_url": reverse("cases:queue") + "cases/",
        },
    )


def _back_to_queue(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("cases:queue")


@agent_required
@require_POST
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        name, query = form.cleaned_data["name"], form.cleaned_data["query"]
        _, created = SavedView.objects.update_or_create(
            agent=request.agent, name=name, defaults={"query": query}
        )
        messages.success(request, f"Saved the view “{name}”." if created else f"Updated “{name}”.")
        return redirect(f"{reverse('cases:queue')}?{query}")
    messages.error(request, "Give the view a name of at most 60 characters.")
    return _back_to_queue(request)


@agent_required
@require_POST
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk, agent=request.agent)
    view.delete()
    messages.success(request, f"Removed the view “{view.name}”.")
    return redirect("cases:queue")


@agent_required
@require_POST
def case_claim(request, reference):
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=_pk(reference))
    try:
        services.case_claim(case=case, agent=request.agent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            format_html(
                '<a href="{}">{}</a> is yours now.',
                reverse("cases:detail", args=[case.reference]),
                case.reference,
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
        changed = services.cases_bulk_update(
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
        messages.success(request, f"Changed {changed} of {len(data['cases'])} selected cases.")
    return _back_to_queue(request)


def _timeline(case) -> list:
    """Messages, notes and events in one list, oldest first."""
    messages_ = list(
        case.messages.select_related("author_agent__user", "author_contact").prefetch_related(
            "attachments"
        )
    )
    events = list(case.events.exclude(kind__in=CaseEvent.MESSAGE_KINDS).select_related("actor"))
    items = [("message", item.created_at, item) for item in messages_]
    items += [("event", item.created_at, item) for item in events]
    return sorted(items, key=lambda item: item[1])


def _workspace(request, case, *, status=200, **bound):
    """Render the case workspace; a bound form given here replaces the empty one."""
    agent = request.agent
    seen = {"seen_version": case.version}
    canned = CannedAnswer.objects.for_agent(agent)
    reply_initial = dict(seen)
    canned_id = request.GET.get("canned", "")
    filled = [(answer, canned_fill(answer.body, case=case, agent=agent)) for answer in canned]
    if canned_id.isdigit():
        reply_initial["body"] = next(
            (text for answer, text in filled if answer.pk == int(canned_id)), ""
        )
    phrases = list(Phrase.objects.all())
    other_cases = (
        Case.objects.filter(contact_id=case.contact_id)
        .exclude(pk=case.pk)
        .select_related("assignee__user")
        .order_by("-created_at")
    )
    context = {
        "case": case,
        "timeline": _timeline(case),
        "other_cases": other_cases,
        "reply_form": bound.get("reply_form") or ReplyForm(initial=reply_initial),
        "update_form": bound.get("update_form")
        or CaseUpdateForm(
            initial={
                **seen,
                "status": case.status,
                "priority": case.priority,
                "category": case.category_id,
                "assignee": case.assignee_id,
            }
        ),
        "escalate_form": bound.get("escalate_form") or EscalateForm(initial=seen),
        "merge_form": bound.get("merge_form") or MergeForm(initial=seen),
        "canned": filled,
        "phrases": [{"avoid": p.avoid, "prefer": p.prefer, "why": p.why} for p in phrases],
        "phrase_warnings": bound.get("phrase_warnings", []),
        "collision": bound.get("collision"),
        "now": timezone.now(),
        # Knowledge base: articles about the case, linkable into the reply.
        "suggested_articles": Article.objects.suggested_for_case(case)[:5],
        # Mail to the customer that failed at least once and is not yet sent.
        "mail_problems": case.outbound_emails.filter(sent_at__isnull=True, attempts__gt=0),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _workspace_case(request, reference):
    return get_object_or_404(
        Case.objects.visible_to(request.user).for_workspace(), pk=_pk(reference)
    )


@agent_required
@require_safe
def case_detail(request, reference):
    return _workspace(request, _workspace_case(request, reference))


def _refreshed(form, case):
    """The posted form again, with the draft kept but pointing at the current version."""
    data = form.data.copy()
    data["seen_version"] = str(case.version)
    fresh = type(form)(data)
    fresh.is_valid()
    return fresh


def _workspace_action(request, reference, form_class, key, act):
    """Validate a workspace form, run the service, and show what went wrong in place."""
    case = _workspace_case(request, reference)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _workspace(request, case, status=400, **{key: form})
    try:
        result = act(case, form)
    except services.CaseChanged as changed:
        case = _workspace_case(request, reference)
        return _workspace(
            request, case, status=409, collision=changed.describe(), **{key: _refreshed(form, case)}
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _workspace(request, case, status=400, **{key: form})
    if isinstance(result, HttpResponse):
        return result
    return redirect("cases:detail", reference=case.reference)


@agent_required
@require_POST
def case_reply(request, reference):
    def act(case, form):
        data = form.cleaned_data
        common = {
            "case": case,
            "agent": request.agent,
            "body": data["body"],
            "seen_version": data["seen_version"],
            "uploads": data["attachments"],
            "content_types": form.content_types,
        }
        if request.POST.get("action") == ReplyForm.NOTE:
            services.case_note(**common)
            messages.success(request, "Internal note added.")
            return None
        warnings = phrases_found(data["body"], Phrase.objects.all())
        if warnings and not data["send_anyway"]:
            return _workspace(request, case, reply_form=form, phrase_warnings=warnings)
        services.case_reply(**common, status_after=data["status_after"] or Status.WAITING)
        messages.success(request, f"Reply sent to {case.contact.email}.")
        return None

    return _workspace_action(request, reference, ReplyForm, "reply_form", act)


@agent_required
@require_POST
def case_update(request, reference):
    def act(case, form):
        services.case_update(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, "Case updated.")

    return _workspace_action(request, reference, CaseUpdateForm, "update_form", act)


@agent_required
@require_POST
def case_escalate(request, reference):
    def act(case, form):
        services.case_escalate(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, "Case escalated.")

    return _workspace_action(request, reference, EscalateForm, "escalate_form", act)


@agent_required
@require_POST
def case_merge(request, reference):
    def act(case, form):
        data = form.cleaned_data
        target = services.case_merge(
            source=case,
            target=data["target"],
            actor=request.user,
            seen_version=data["seen_version"],
        )
        messages.success(request, f"{case.reference} was merged into {target.reference}.")
        return redirect("cases:detail", reference=target.reference)

    return _workspace_action(request, reference, MergeForm, "merge_form", act)


@agent_required
def case_new(request):
    """Log a case from the phone, a chat, a visit or social media."""
    query = request.GET.get("q", "").strip()[:200]
    matches = Contact.objects.search(query).select_related("organization")[:10] if query else []
    if request.method == "POST":
        form = LogCaseForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            case = services.case_log(
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
            messages.success(request, f"{case.reference} logged.")
            return redirect("cases:detail", reference=case.reference)
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


@agent_required
def notifications(request):
    """The agent's reminders, newest first; posting marks them all read."""
    mine = Notification.objects.filter(agent=request.agent)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("cases:notifications")
    items = mine.select_related("reminder__case__contact")[:100]
    return render(request, "cases/notifications.html", {"items": items})


@agent_required
@require_POST
def case_revoke_links(request, reference):
    """Stop every emailed link to the customer's page from working."""
    case = _workspace_case(request, reference)
    revoked = portal.access_links_revoke(case=case, actor=request.user)
    messages.success(
        request,
        f"{revoked} customer link{'s' if revoked != 1 else ''} revoked. "
        "The customer can ask for a new one at /c/.",
    )
    return redirect("cases:detail", reference=case.reference)
