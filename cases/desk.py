"""What an agent does on the desk: claim, change, reply, note, escalate, merge, and the
same changes in bulk. Every change locks the case, refuses a stale form (seen_version)
with CaseChanged, writes a CaseEvent per change, and saves the case with its due times
(cases.transitions.case_change)."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.models import Agent, Team
from cases import mails, notify
from cases.attachments import attachments_store
from cases.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    Message,
    Notification,
    Priority,
    Status,
)
from cases.said import Said
from cases.sla import due
from cases.timeline import case_lock, case_record
from cases.transitions import (
    assignee_set,
    case_change,
    case_save,
    category_set,
    priority_set,
    status_set,
)


@dataclass(frozen=True)
class Integration:
    """A system that writes on cases through the API: the user its timeline entries
    name, and the name its messages carry."""

    user: AbstractBaseUser
    name: str


# A change left as it is (case_update).
KEEP = object()


@transaction.atomic
def case_claim(*, case: Case, agent: Agent) -> Case:
    """Take an unassigned case (or one already mine)."""
    with case_change(case) as case:
        _claim(case, agent)
    return case


def _claim(case: Case, agent: Agent) -> None:
    if case.assignee_id not in (None, agent.pk):
        raise ValidationError(
            _(
                "%(reference)s is already with %(assignee)s; "
                "ask them, or reassign it from the case page."
            )
            % {"reference": case.reference, "assignee": case.assignee.name}
        )
    if not case.is_open:
        raise ValidationError(
            _("%(reference)s is %(status)s.")
            % {"reference": case.reference, "status": case.get_status_display().lower()}
        )
    assignee_set(case, agent, actor=agent.user, why=Said("claimed"))
    if case.status == Status.NEW:
        status_set(case, Status.OPEN, actor=agent.user)


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: AbstractBaseUser,
    seen_version: int | None,
    status: str = KEEP,
    priority: int = KEEP,
    category: Category | None = KEEP,
    assignee: Agent | None = KEEP,
) -> Case:
    """Change status, priority, category and assignee (the workspace gives all four, the
    API those it was sent; the rest are KEEP). Without seen_version, nothing is refused
    as stale."""
    with case_change(case, seen_version=seen_version) as case:
        if case.merged_into_id and status not in (KEEP, Status.CLOSED):
            raise ValidationError("This case was merged into another; work on that one instead.")
        if status is not KEEP:
            status_set(case, status, actor=actor)
        if priority is not KEEP:
            priority_set(case, priority, actor=actor)
        if category is not KEEP:
            category_set(case, category, actor=actor)
        if assignee is not KEEP:
            assignee_set(case, assignee, actor=actor)
    return case


def _check_writable(case: Case) -> None:
    if case.status == Status.CLOSED:
        raise ValidationError(
            f"{case.reference} is closed. Reopen it (set its status) before writing on it."
        )


@transaction.atomic
def case_reply(
    *,
    case: Case,
    agent: Agent | None = None,
    integration: Integration | None = None,
    body: str,
    seen_version: int | None,
    status_after: str = Status.WAITING,
    uploads=(),
    content_types=(),
) -> Message:
    """Answer the customer, as an agent or an integration: stored now, emailed by a task
    after commit. An agent's reply on an unassigned case gives it to them."""
    actor = agent.user if agent else integration.user
    case = case_lock(case, seen_version=seen_version)
    _check_writable(case)
    if not body.strip():
        raise ValidationError("Write a reply before sending it.")
    message = case.messages.create(
        author_agent=agent,
        author_label="" if agent else integration.name,
        body=body,
        channel=Channel.EMAIL,
        is_internal=False,
    )
    if uploads:
        attachments_store(message=message, uploads=uploads, content_types=list(content_types))
    due.agent_replied(case, now=message.created_at)
    if case.first_response_at is None:
        case.first_response_at = message.created_at
    if case.assignee_id is None and agent:
        assignee_set(case, agent, actor=actor, why=Said("took_by_replying"))
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.REPLIED,
        detail=Said("replied", contact=case.contact.name),
    )
    # The reply itself tells the customer we wait on them; a resolve still asks for a rating.
    status_set(case, status_after, actor=actor, notify=status_after == Status.RESOLVED)
    case_save(case)
    mails.case_reply_email(message=message)
    return message


@transaction.atomic
def case_note(
    *,
    case: Case,
    agent: Agent | None = None,
    integration: Integration | None = None,
    body: str,
    seen_version: int | None,
    uploads=(),
    content_types=(),
) -> Message:
    """An internal note, by an agent or an integration: for agents only, never shown or
    sent to the customer."""
    actor = agent.user if agent else integration.user
    case = case_lock(case, seen_version=seen_version)
    if not body.strip():
        raise ValidationError("Write the note before adding it.")
    message = case.messages.create(
        author_agent=agent,
        author_label="" if agent else integration.name,
        body=body,
        channel=Channel.WEB,
        is_internal=True,
    )
    if uploads:
        attachments_store(message=message, uploads=uploads, content_types=list(content_types))
    case_record(case, actor=actor, kind=CaseEvent.Kind.NOTE, detail=Said("note"))
    case_save(case)
    notify.agents_notify(
        case=case,
        kind=Notification.Kind.MENTIONED,
        agents=notify.mentioned_agents(body),
        actor=actor,
        detail=body[:200],
    )
    return message


@transaction.atomic
def case_escalate(
    *,
    case: Case,
    actor: AbstractBaseUser,
    seen_version: int,
    reason: str,
    team: Team | None = None,
) -> Case:
    """Hand a case up: to the lead of its team, or into another team's queue."""
    case = case_lock(case, seen_version=seen_version)
    _check_writable(case)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the case is escalated."))
    if team is None or team.pk == case.team_id:
        current = case.team
        if current is None or current.lead_id is None:
            raise ValidationError(_("This case's team has no lead to escalate to; choose a team."))
        lead = current.lead
        if not lead.user.is_active:
            raise ValidationError(
                _("%(lead)s, lead of %(team)s, has left; choose a team.")
                % {"lead": lead.name, "team": current.name}
            )
        if lead.pk == case.assignee_id:
            raise ValidationError(
                _("%(lead)s leads %(team)s and already has this case.")
                % {"lead": lead.name, "team": current.name}
            )
        case.assignee = lead
        detail = f"Escalated to {lead.name}, lead of {current.name}: {reason}"
        told = [lead]
    else:
        case.team = team
        case.assignee = None
        detail = f"Escalated to the {team.name} queue: {reason}"
        told = [team.lead] if team.lead_id else []
    case_record(case, actor=actor, kind=CaseEvent.Kind.ESCALATED, detail=detail)
    case_save(case)
    notify.agents_notify(
        case=case, kind=Notification.Kind.ESCALATED, agents=told, actor=actor, detail=reason
    )
    return case


def case_merge_check(*, source: Case, target: Case) -> None:
    """Refuse a merge that cannot be done (a ValidationError saying why); the desk asks
    for confirmation only of one that can."""
    if source.pk == target.pk:
        raise ValidationError(_("A case cannot be merged into itself."))
    if source.contact_id != target.contact_id:
        # The target's contact would see the other customer's messages on their page.
        raise ValidationError(
            _("%(reference)s belongs to another contact; only one contact's cases merge.")
            % {"reference": target.reference}
        )
    if source.merged_into_id:
        raise ValidationError(
            _("%(reference)s was already merged.") % {"reference": source.reference}
        )
    if target.merged_into_id or target.status == Status.CLOSED:
        raise ValidationError(
            _("%(reference)s is closed; merge into an open case.") % {"reference": target.reference}
        )


@transaction.atomic
def case_merge(*, source: Case, target: Case, actor: AbstractBaseUser, seen_version: int) -> Case:
    """Merge a duplicate into another case: its messages move, it closes with a pointer."""
    case_merge_check(source=source, target=target)
    # Lock both in id order so two opposite merges cannot deadlock.
    first, second = sorted([source, target], key=lambda case: case.pk)
    locked = {
        case.pk: case_lock(case, seen_version=seen_version if case.pk == source.pk else None)
        for case in (first, second)
    }
    source, target = locked[source.pk], locked[target.pk]
    # Looked at again under the locks: either may have changed meanwhile.
    case_merge_check(source=source, target=target)
    moved = source.messages.update(case=target)
    source.merged_into = target
    case_record(
        source,
        actor=actor,
        kind=CaseEvent.Kind.MERGED,
        detail=Said("merged_into", target=target.reference, count=moved),
    )
    status_set(source, Status.CLOSED, actor=actor, notify=False)
    case_save(source)
    case_record(
        target,
        actor=actor,
        kind=CaseEvent.Kind.MERGED,
        detail=Said("merged_in", source=source.reference, subject=source.subject, count=moved),
    )
    case_save(target)
    return target


class BulkAction:
    ASSIGN = "assign"
    STATUS = "status"
    PRIORITY = "priority"
    CLOSE = "close"
    CHOICES = [
        (ASSIGN, gettext_lazy("Assign to")),
        (STATUS, gettext_lazy("Set status")),
        (PRIORITY, gettext_lazy("Set priority")),
        (CLOSE, gettext_lazy("Close")),
    ]


@transaction.atomic
def cases_bulk_update(
    *,
    cases: list[Case],
    actor: AbstractBaseUser,
    action: str,
    assignee: Agent | None = None,
    status: str | None = None,
    priority: int | None = None,
) -> int:
    """Apply one change to many cases, each recorded on its own timeline. Returns how many."""
    if not cases:
        raise ValidationError(_("Select at least one case."))
    changed = 0
    for case in sorted(cases, key=lambda case: case.pk):
        case = case_lock(case)
        before = case.version
        if case.merged_into_id:
            continue  # a merged case stays closed; its work goes on in the other case
        if action == BulkAction.ASSIGN:
            assignee_set(case, assignee, actor=actor)
        elif action == BulkAction.STATUS:
            status_set(case, status, actor=actor)
        elif action == BulkAction.PRIORITY:
            priority_set(case, Priority(priority), actor=actor)
        elif action == BulkAction.CLOSE:
            status_set(case, Status.CLOSED, actor=actor)
        else:
            raise ValidationError(_("Choose what to do with the selected cases."))
        if case.version != before:
            case_save(case)
            changed += 1
    return changed
