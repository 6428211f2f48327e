"""The customer's side of a case: private links, resolving, reopening and rating.

A link carries a random token (256 bits); only its SHA-256 is stored, so the
database never holds a working link. On first use the token is exchanged for a
session entry and the browser goes on to a URL without it.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import sla
from cases.models import OPEN_STATUSES, Case, CaseAccessToken, CaseEvent, CaseRating, Status
from contacts.models import Contact

SESSION_KEY = "customer_cases"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def access_token_issue(*, case: Case) -> tuple[str, CaseAccessToken]:
    """A new random token for the case's page, and its stored (hashed) record."""
    token = secrets.token_urlsafe(32)
    access = CaseAccessToken.objects.create(
        case=case,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=settings.CUSTOMER_LINK_DAYS),
    )
    return token, access


def access_link_create(*, case: Case) -> str:
    """A new private link to the case's page, as an absolute URL for mail."""
    token, _ = access_token_issue(case=case)
    return settings.SITE_URL + reverse("cases:customer_link", args=[token])


def links_send(*, contact: Contact) -> None:
    """Mail a contact fresh links to their cases that are not closed or closed lately."""
    from cases import outbound

    recent = timezone.now() - timedelta(days=30)
    cases = list(
        Case.objects.filter(contact=contact)
        .exclude(status=Status.CLOSED, closed_at__lt=recent)
        .order_by("-created_at")[:10]
    )
    if cases:
        outbound.case_links_email(contact=contact, cases=cases)


def access_token_find(token: str) -> CaseAccessToken | None:
    """The valid access token for a link, or None for a wrong, expired or revoked one."""
    if not token or len(token) > 100:
        return None
    digest = _hash(token)
    found = CaseAccessToken.objects.select_related("case").filter(token_hash=digest).first()
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    return found if found.is_valid() else None


def session_grant(session, access: CaseAccessToken) -> None:
    granted = dict(session.get(SESSION_KEY, {}))
    granted[str(access.case_id)] = access.pk
    session[SESSION_KEY] = granted


def session_case(session, reference_pk: int) -> Case | None:
    """The case this browser was let in to by a still-valid link, or None."""
    token_id = session.get(SESSION_KEY, {}).get(str(reference_pk))
    if token_id is None:
        return None
    access = (
        CaseAccessToken.objects.select_related("case__contact", "case__assignee__user")
        .filter(pk=token_id, case_id=reference_pk)
        .first()
    )
    if access is None or not access.is_valid():
        granted = dict(session.get(SESSION_KEY, {}))
        granted.pop(str(reference_pk), None)
        session[SESSION_KEY] = granted
        return None
    return access.case


@transaction.atomic
def access_links_revoke(*, case: Case, actor) -> int:
    """Make every link to the case stop working (a forwarded or leaked mail)."""
    from cases.services import case_lock, case_record

    case = case_lock(case)
    revoked = CaseAccessToken.objects.filter(case=case, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.LINK,
        detail=f"Revoked {revoked} customer link{'s' if revoked != 1 else ''}.",
    )
    case.save()
    return revoked


@transaction.atomic
def case_customer_resolve(*, case: Case, contact: Contact) -> Case:
    """The customer says their problem is solved."""
    from cases.services import _set_status, case_lock, case_record

    case = case_lock(case)
    if case.status not in OPEN_STATUSES:
        raise ValidationError("This case is already resolved.")
    _set_status(case, Status.RESOLVED, actor=None, notify=False)
    case_record(
        case,
        actor=None,
        kind=CaseEvent.Kind.STATUS,
        detail=f"{contact.name} marked the case resolved.",
        name=contact.name,
    )
    sla.case_refresh(case)
    case.save()
    return case


@transaction.atomic
def case_customer_reopen(*, case: Case, contact: Contact) -> Case:
    """The customer says the problem is back, or was never solved."""
    from cases.services import case_lock, case_reopen

    case = case_lock(case)
    if case.status != Status.RESOLVED:
        raise ValidationError("Only a resolved case can be reopened; a closed one cannot.")
    case_reopen(
        case,
        contact=contact,
        detail=f"Reopened by {contact.name} from their case page.",
        now=timezone.now(),
    )
    sla.case_refresh(case)
    case.save()
    return case


@transaction.atomic
def case_rate(*, case: Case, score: int, comment: str = "") -> CaseRating:
    """Save the customer's rating (1 to 5) of the help on a resolved or closed case."""
    from cases.services import case_lock, case_record

    case = case_lock(case)
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError("You can rate the help once the case is resolved.")
    if case.merged_into_id:
        raise ValidationError("This case was merged into another; rate that one instead.")
    if not 1 <= score <= 5:
        raise ValidationError("Choose a rating from 1 to 5.")
    rating, _ = CaseRating.objects.update_or_create(
        case=case, defaults={"score": score, "comment": comment.strip(), "agent": case.assignee}
    )
    case_record(
        case,
        actor=None,
        kind=CaseEvent.Kind.RATED,
        detail=f"Rated {score}/5." + (" With a comment." if rating.comment else ""),
        name=case.contact.name,
    )
    case.save()
    return rating


def auto_close(*, now=None) -> int:
    """Close cases resolved more than AUTO_CLOSE_DAYS ago. Returns how many."""
    from cases.services import _set_status, case_lock, case_record

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUTO_CLOSE_DAYS)
    closed = 0
    stale = Case.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff)
    for pk in stale.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = case_lock(Case(pk=pk))
            if case.status != Status.RESOLVED or case.resolved_at > cutoff:
                continue
            _set_status(case, Status.CLOSED, actor=None, notify=False)
            case_record(
                case,
                actor=None,
                kind=CaseEvent.Kind.STATUS,
                detail=f"Closed automatically {settings.AUTO_CLOSE_DAYS} days after "
                "it was resolved.",
            )
            case.save()
            closed += 1
    return closed
