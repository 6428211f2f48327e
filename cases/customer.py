"""What the customer does on their case: write (by mail or on their page), resolve,
reopen, rate, and ask for fresh links; and the auto-close of resolved cases."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import mails, notify
from cases.attachments import attachments_store
from cases.intake import case_open
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseRating,
    Channel,
    Message,
    Notification,
    Status,
)
from cases.said import Said
from cases.sla import due
from cases.timeline import case_lock, case_record, merged_target
from cases.transitions import case_change, case_reopen, case_save, status_set
from contacts.models import Contact


@transaction.atomic
def case_customer_reply(
    *,
    case: Case,
    contact: Contact,
    body: str,
    channel: Channel,
    uploads=(),
    content_types=(),
    message_id: str | None = None,
) -> Message:
    """The customer wrote on their case, by mail or on their case page.

    A waiting or resolved case opens again, back with its assignee, or with the
    assignee's backup while the assignee is away. A closed case stays closed: the
    message opens a follow-up case for the same contact instead.
    """
    case = case_lock(case)
    if case.merged_into_id:
        # The conversation goes on in the case this one was merged into.
        case = case_lock(merged_target(case))
    if case.status == Status.CLOSED:
        follow_up = case_open(
            contact=contact,
            subject=f"Follow-up to {case.reference}: {case.subject}"[:200],
            body=body,
            channel=channel,
            category=case.category,
            uploads=uploads,
            content_types=content_types,
        )
        message = follow_up.messages.get()
        if message_id:
            message.message_id = message_id
            message.save(update_fields=["message_id"])
        return message
    now = timezone.now()
    message = case.messages.create(
        author_contact=contact, body=body, channel=channel, message_id=message_id, created_at=now
    )
    if uploads:
        attachments_store(message=message, uploads=uploads, content_types=list(content_types))
    case_record(
        case,
        actor=None,
        kind=CaseEvent.Kind.CUSTOMER_WROTE,
        detail=Said("customer_wrote", contact=contact.name, channel=channel),
        name=contact.name,
    )
    if case.status == Status.RESOLVED:
        case_reopen(
            case,
            contact=contact,
            detail=Said("reopened_by_writing", contact=contact.name),
            now=now,
        )
    elif case.status == Status.WAITING:
        status_set(case, Status.OPEN, actor=None)
    due.customer_wrote(case, now=now)
    case_save(case)
    notify.agents_notify(
        case=case,
        kind=Notification.Kind.CUSTOMER_WROTE,
        agents=[case.assignee],
        detail=" ".join(body.split())[:200],
    )
    return message


@transaction.atomic
def case_customer_resolve(*, case: Case, contact: Contact) -> Case:
    """The customer says their problem is solved."""
    with case_change(case) as case:
        if case.status not in OPEN_STATUSES:
            raise ValidationError(_("This case is already resolved."))
        status_set(case, Status.RESOLVED, actor=None, notify=False)
        case_record(
            case,
            actor=None,
            kind=CaseEvent.Kind.STATUS,
            detail=Said("resolved_by_customer", contact=contact.name),
            name=contact.name,
        )
    return case


@transaction.atomic
def case_customer_reopen(*, case: Case, contact: Contact) -> Case:
    """The customer says the problem is back, or was never solved."""
    with case_change(case) as case:
        if case.status != Status.RESOLVED:
            raise ValidationError(_("Only a resolved case can be reopened; a closed one cannot."))
        case_reopen(
            case,
            contact=contact,
            detail=Said("reopened_by_customer", contact=contact.name),
            now=timezone.now(),
        )
    return case


@transaction.atomic
def case_rate(
    *, case: Case, score: int, comment: str = "", recommend: int | None = None
) -> CaseRating:
    """Save the customer's rating (1 to 5) of the help on a resolved or closed case, and
    how likely they are to recommend us (0 to 10) if they said."""
    case = case_lock(case)
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("You can rate the help once the case is resolved."))
    if case.merged_into_id:
        raise ValidationError(_("This case was merged into another; rate that one instead."))
    if not 1 <= score <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."))
    if recommend is not None and not 0 <= recommend <= 10:
        raise ValidationError(_("Choose how likely you are to recommend us from 0 to 10."))
    rating, _created = CaseRating.objects.update_or_create(
        case=case,
        defaults={
            "score": score,
            "comment": comment.strip(),
            "agent": case.assignee,
            "recommend": recommend,
        },
    )
    case_record(
        case,
        actor=None,
        kind=CaseEvent.Kind.RATED,
        detail=Said("rated", score=score, comment=bool(rating.comment)),
        name=case.contact.name,
    )
    case_save(case)
    return rating


def auto_close(*, now=None) -> int:
    """Close cases resolved more than AUTO_CLOSE_DAYS ago. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUTO_CLOSE_DAYS)
    closed = 0
    stale = Case.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff)
    for pk in stale.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = case_lock(Case(pk=pk))
            if case.status != Status.RESOLVED or case.resolved_at > cutoff:
                continue
            status_set(case, Status.CLOSED, actor=None, notify=False)
            case_record(
                case,
                actor=None,
                kind=CaseEvent.Kind.STATUS,
                detail=Said("auto_closed", days=settings.AUTO_CLOSE_DAYS),
            )
            case_save(case)
            closed += 1
    return closed


def links_send(*, contact: Contact) -> None:
    """Mail a contact fresh links to their cases that are not closed or closed lately."""
    recent = timezone.now() - timedelta(days=30)
    cases = list(
        Case.objects.filter(contact=contact)
        .exclude(status=Status.CLOSED, closed_at__lt=recent)
        .order_by("-created_at")[:10]
    )
    if cases:
        mails.case_links_email(contact=contact, cases=cases)
