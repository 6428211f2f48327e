"""The customer's private links to their case page: issue, find, revoke.

A link carries a random token (256 bits); only its SHA-256 is stored, so the
database never holds a working link. On first use the token is exchanged for a
session entry and the browser goes on to a URL without it.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.log import Action, audit_record
from cases.models import Case, CaseAccessToken, CaseEvent
from cases.said import Said
from cases.timeline import case_lock, case_record
from helpdesk.lib.rows import insert

SESSION_KEY = "customer_cases"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def access_token_issue(*, case: Case) -> tuple[str, CaseAccessToken]:
    """A new random token for the case's page, and its stored (hashed) record."""
    token = secrets.token_urlsafe(32)
    access = CaseAccessToken(
        case=case,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=settings.CUSTOMER_LINK_DAYS),
    )
    insert(access)
    return token, access


def access_link_create(*, case: Case) -> str:
    """A new private link to the case's page, as an absolute URL for mail."""
    token, _ = access_token_issue(case=case)
    return settings.SITE_URL + reverse("cases:customer_link", args=[token])


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


def session_cases(session) -> list[Case]:
    """The cases this browser was let in to by links that still work, newest first."""
    granted = session.get(SESSION_KEY, {})
    if not granted:
        return []
    tokens = CaseAccessToken.objects.filter(pk__in=list(granted.values())).select_related("case")
    cases = [
        token.case
        for token in tokens
        if token.is_valid() and granted.get(str(token.case_id)) == token.pk
    ]
    return sorted(cases, key=lambda case: case.created_at, reverse=True)


def session_case(session, reference_pk: int) -> Case | None:
    """The case this browser was let in to by a still-valid link, or None."""
    token_id = session.get(SESSION_KEY, {}).get(str(reference_pk))
    if token_id is None:
        return None
    access = (
        CaseAccessToken.objects.select_related("case__contact__owner__user", "case__assignee__user")
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
def access_links_revoke(*, case: Case, actor, request=None) -> int:
    """Make every link to the case stop working (a forwarded or leaked mail); the audit
    log says who did, and from which address when `request` is given."""
    case = case_lock(case)
    revoked = CaseAccessToken.objects.filter(case=case, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    case_record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.LINK,
        detail=Said("links_revoked", count=revoked),
    )
    # Links do not move due times: the version and last activity are all that changed.
    case.save(update_fields=["version", "last_activity_at", "last_activity_by"])
    audit_record(
        Action.LINK_REVOKED,
        request=request,
        actor=actor,
        target=case,
        label=case.reference,
        detail=f"{revoked} revoked",
    )
    return revoked
