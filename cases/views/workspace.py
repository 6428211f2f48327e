"""The case workspace: the whole conversation, replies, notes and every change."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agents.desk import agent_required
from agents.models import Agent, language_codes
from cases import desk, links, notify, staging, timeline
from cases.auth import desk_unread, desk_unread_forget
from cases.choices import choices_offer, desk_choices, name_of
from cases.contact_history import latest_other_cases
from cases.forms import (
    AttachmentsMixin,
    CaseUpdateForm,
    EscalateForm,
    MergeForm,
    ReplyForm,
)
from cases.guide import canned_fill, phrases_found, writing_help
from cases.models import (
    Attachment,
    Case,
    Status,
)
from cases.sla import due
from cases.views import pk_or_404
from helpdesk.lib.kept import kept
from outbox import retry

# Every change to a case's timeline raises its version (cases.timeline), so a timeline
# rendered for one version stays true; the day bounds what a rename of an agent leaves.
TIMELINE_SECONDS = 24 * 3600
OTHER_CASES_SHOWN = 10  # beside a case; the contact's page lists them all
MAIL_PROBLEMS_SHOWN = 5  # admin's outbox lists them all
# What the notice says of each (whether it has something to send again is annotated:
# outbox.models.RETRYABLE); the case, which the related manager fills in on each row
# (deferred, a query per row).
MAIL_PROBLEM_FIELDS = [
    "case",
    "kind",
    "subject",
    "to",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "failed_at",
]


def _timeline_html(case) -> str:
    """The timeline as HTML: rendered once per version of the case, language and time
    zone, then kept in the cache (urlize over every message was most of the page)."""
    key = ":".join(
        (
            "timeline:2",
            str(case.pk),
            # a database made afresh (a new demo, a test run) reuses ids and versions
            str(case.created_at.timestamp()),
            str(case.version),
            get_language() or "",
            timezone.get_current_timezone_name(),
        )
    )
    html = kept(
        key,
        lambda: render_to_string(
            "cases/_timeline.html", {"timeline": timeline.timeline_items(case)}
        ),
        TIMELINE_SECONDS,
    )
    return mark_safe(html)  # rendered by our template, escaped there


def _workspace(request, case, *, status=200, **bound):
    """Render the case workspace; a bound form given here replaces the empty one."""
    agent = request.agent
    seen = {"seen_version": case.version}
    writing = writing_help()
    canned = writing.canned_for(agent)
    reply_initial = dict(seen)
    canned_id = request.GET.get("canned", "")
    # Each in the contact's language where it has a version; else its own, and said so.
    wanted = case.contact.language
    filled = []
    for answer in canned:
        body, language = answer.in_language(wanted)
        text = canned_fill(body, case=case, agent=agent)
        other = None if language == wanted else get_language_info(language)["name_translated"]
        filled.append((answer, text, other))
    if canned_id.isdigit():
        reply_initial["body"] = next(
            (text for answer, text, _other in filled if answer.pk == int(canned_id)), ""
        )
    # The newest few: a contact of many years has hundreds, all on their page.
    other_cases, more_cases = latest_other_cases(case, OTHER_CASES_SHOWN)
    update_form = bound.get("update_form") or CaseUpdateForm(
        initial={
            **seen,
            "status": case.status,
            "priority": case.priority,
            "category": case.category_id,
            "assignee": case.assignee_id,
        }
    )
    escalate_form = bound.get("escalate_form") or EscalateForm(initial=seen)
    kept = desk_choices()
    choices_offer(update_form, kept, category="categories", assignee="agents")
    choices_offer(escalate_form, kept, team="teams")
    owner = case.contact.owner
    names = {
        "assignee": name_of(kept.agent_names, case.assignee_id, lambda: case.assignee),
        "team": name_of(dict(kept.teams), case.team_id, lambda: case.team),
        "category": name_of(dict(kept.categories), case.category_id, lambda: case.category),
        "owner": owner and name_of(kept.agent_names, owner.pk, lambda: owner),
        "backup": owner and name_of(kept.agent_names, owner.backup_id, lambda: owner.backup),
        "policy": name_of(
            {policy.pk: policy.name for policy in due.policies()},
            case.sla_policy_id,
            lambda: case.sla_policy.name,
        ),
    }
    cases_url = reverse("cases:queue") + "cases/"
    context = {
        "language_gap": _language_gap(case, agent, owner),
        "case": case,
        # Links by prefix, one reverse() for the page: the case's own actions (its URL and
        # a word: reply/, update/…), other cases, and the desk's articles.
        "here": f"{cases_url}{case.reference}/",
        "case_url": cases_url,
        "kb_url": reverse("knowledge:desk_list"),
        # assignee, team, category, owner, backup and policy, by name
        "names": names,
        "timeline_html": _timeline_html(case),
        "other_cases": other_cases,
        "more_cases": more_cases,
        "reply_form": bound.get("reply_form") or ReplyForm(initial=reply_initial),
        "update_form": update_form,
        "escalate_form": escalate_form,
        "merge_form": bound.get("merge_form") or MergeForm(initial=seen),
        "canned": filled,
        "contact_language": get_language_info(case.contact.language)["name_translated"],
        "phrases": [{"avoid": p.avoid, "prefer": p.prefer, "why": p.why} for p in writing.phrases],
        "phrase_warnings": bound.get("phrase_warnings", []),
        "collision": bound.get("collision"),
        "now": timezone.now(),
        # Knowledge base: articles about the case, linkable into the reply.
        # Mail of this case whose send failed and that is not sent (given up on, or
        # waiting for its next attempt), newest first, one more than shown to say so.
        "mail_problems": list(
            case.outbound_emails.undelivered()
            .with_can_retry()
            .order_by("-created_at", "-pk")
            .only(*MAIL_PROBLEM_FIELDS)[: MAIL_PROBLEMS_SHOWN + 1]
        ),
        "mail_problems_shown": MAIL_PROBLEMS_SHOWN,
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _language_gap(case, agent, owner) -> str | None:
    """The contact's language, by name, when the assignee does not speak it (the page says
    so beside them); None when they do, or list no language at all (nothing is known).
    The assignee is most often the agent reading or the contact's owner, both loaded."""
    language = case.contact.language
    if case.assignee_id is None or language not in dict(settings.LANGUAGES):
        return None
    if case.assignee_id == agent.pk:
        languages = agent.languages
    elif owner is not None and case.assignee_id == owner.pk:
        languages = owner.languages
    else:
        languages = (
            Agent.objects.filter(pk=case.assignee_id).values_list("languages", flat=True).first()
        )
    if not languages or language in language_codes(languages):
        return None
    return dict(settings.LANGUAGES)[language]


def _workspace_case(request, reference):
    case = Case.objects.visible_to(request.user).for_workspace(pk_or_404(reference))
    if case is None:
        raise Http404
    return case


@agent_required
@require_safe
def case_detail(request, reference):
    case = _workspace_case(request, reference)
    # Opened: what told this agent of it (a reply, an assignment, a mention) is read.
    # An agent with nothing unread (counted as the user was loaded) has nothing to mark.
    if desk_unread(request.user) != 0 and notify.case_seen(case=case, agent=request.agent):
        desk_unread_forget(request.user)
    return _workspace(request, case, **_kept_draft(request, case))


DRAFTS_KEY = "workspace_drafts"
DRAFT_FORMS = {
    "reply_form": ReplyForm,
    "update_form": CaseUpdateForm,
    "escalate_form": EscalateForm,
    "merge_form": MergeForm,
}


def _form_bound(request, form_class, data, files=None):
    """A workspace form bound to a post; a form with attachments also takes the files
    this agent staged on an earlier try and still has ticked."""
    if not issubclass(form_class, AttachmentsMixin):
        return form_class(data, files)
    return staging.form_bound(form_class, staging.owner_agent(request.user), data, files)


def _form_back(request, form) -> None:
    """The form goes back to the agent: keep its checked files on the server."""
    if isinstance(form, AttachmentsMixin):
        staging.files_stage(form)


def _keep_draft(request, case, key, form, **shown) -> HttpResponse:
    """Keep what the agent typed (and what to show with it) in the session, and redirect:
    the page after a phrase warning or a collision is a GET, so reloading sends nothing.
    Chosen files are staged on the server; the draft keeps their tokens."""
    _form_back(request, form)
    skip = {"csrfmiddlewaretoken", "staged"}
    data = {name: form.data.getlist(name) for name in form.data if name not in skip}
    if isinstance(form, AttachmentsMixin):
        data["staged"] = [item.token for item in form.staged]
        shown["files"] = form.not_kept
    drafts = dict(request.session.get(DRAFTS_KEY, {}))
    drafts[case.reference] = {"key": key, "data": data, **shown}
    request.session[DRAFTS_KEY] = drafts
    return redirect("cases:detail", reference=case.reference)


def _kept_draft(request, case) -> dict:
    """The draft kept for this case, as the workspace's context (once: it is taken)."""
    drafts = dict(request.session.get(DRAFTS_KEY, {}))
    draft = drafts.pop(case.reference, None)
    if draft is None or draft.get("key") not in DRAFT_FORMS:
        return {}
    request.session[DRAFTS_KEY] = drafts
    data = MultiValueDict(draft["data"])
    if draft.get("collision"):
        data["seen_version"] = str(case.version)
    form = _form_bound(request, DRAFT_FORMS[draft["key"]], data)
    form.is_valid()
    if isinstance(form, AttachmentsMixin):
        form.not_kept = draft.get("files", [])
    context = {draft["key"]: form}
    if draft.get("collision"):
        context["collision"] = draft["collision"]
    if draft.get("phrases"):
        context["phrase_warnings"] = writing_help().phrases_with(draft["phrases"])
    return context


def _workspace_action(request, reference, form_class, key, act):
    """Validate a workspace form, run the service, and show what went wrong in place."""
    case = _workspace_case(request, reference)
    form = _form_bound(request, form_class, request.POST, request.FILES)
    if not form.is_valid():
        _form_back(request, form)
        return _workspace(request, case, status=400, **{key: form})
    try:
        result = act(case, form)
    except timeline.CaseChanged as changed:
        return _keep_draft(request, case, key, form, collision=changed.describe())
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        _form_back(request, form)
        return _workspace(request, case, status=400, **{key: form})
    if isinstance(result, HttpResponse):
        return result
    if isinstance(form, AttachmentsMixin):
        staging.staged_release(form.staged)
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
            desk.case_note(**common)
            messages.success(request, _("Internal note added."))
            return None
        warnings = phrases_found(data["body"], writing_help().phrases)
        if warnings and not data["send_anyway"]:
            phrases = [phrase.pk for phrase in warnings]
            return _keep_draft(request, case, "reply_form", form, phrases=phrases)
        desk.case_reply(**common, status_after=data["status_after"] or Status.WAITING)
        messages.success(request, _("Reply sent to %(email)s.") % {"email": case.contact.email})
        return None

    return _workspace_action(request, reference, ReplyForm, "reply_form", act)


@agent_required
@require_POST
def case_update(request, reference):
    def act(case, form):
        desk.case_update(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Case updated."))

    return _workspace_action(request, reference, CaseUpdateForm, "update_form", act)


@agent_required
@require_POST
def case_escalate(request, reference):
    def act(case, form):
        desk.case_escalate(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Case escalated."))

    return _workspace_action(request, reference, EscalateForm, "escalate_form", act)


@agent_required
@require_POST
def case_merge(request, reference):
    def act(case, form):
        data = form.cleaned_data
        if not data["confirmed"]:
            # A merge cannot be undone: show both cases and ask first.
            desk.case_merge_check(source=case, target=data["target"])
            context = {"case": case, "target": data["target"], "form": form}
            return render(request, "cases/merge_confirm.html", context)
        target = desk.case_merge(
            source=case,
            target=data["target"],
            actor=request.user,
            seen_version=data["seen_version"],
        )
        messages.success(
            request,
            _("%(case)s was merged into %(target)s.")
            % {"case": case.reference, "target": target.reference},
        )
        return redirect("cases:detail", reference=target.reference)

    return _workspace_action(request, reference, MergeForm, "merge_form", act)


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
@require_POST
def case_revoke_links(request, reference):
    """Stop every emailed link to the customer's page from working."""
    case = _workspace_case(request, reference)
    revoked = links.access_links_revoke(case=case, actor=request.user, request=request)
    messages.success(
        request,
        ngettext(
            "%(count)s customer link revoked. The customer can ask for a new one at /c/.",
            "%(count)s customer links revoked. The customer can ask for a new one at /c/.",
            revoked,
        )
        % {"count": revoked},
    )
    return redirect("cases:detail", reference=case.reference)


@agent_required
@require_POST
def case_mail_retry(request, reference, pk):
    """Retry now: the relay sends this mail of the case on its next pass, within seconds."""
    case = _workspace_case(request, reference)
    email = get_object_or_404(case.outbound_emails.only("to"), pk=pk)
    retried = retry.emails_retry_now(
        emails=case.outbound_emails.filter(pk=email.pk),
        request=request,
        where=f"the case workspace of {case.reference}",
    )
    if retried:
        messages.success(
            request, _("The mail to %(email)s will be sent within seconds.") % {"email": email.to}
        )
    else:
        messages.warning(
            request,
            _(
                "That mail was left as it was: it has been sent already, or has nothing left "
                "to send (its contact was erased)."
            ),
        )
    return redirect("cases:detail", reference=case.reference)
