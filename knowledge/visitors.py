"""Who is reading, without an account: a random id kept in the session, stored only hashed."""

import secrets

from django.core import signing
from django.utils.crypto import salted_hmac

from knowledge.models import PAGE_VIEW_MAX_AGE
from knowledge.services import suggestion_opens_followed

SESSION_KEY = "kb_visitor"
PAGE_VIEW_SALT = "knowledge.page-view"


def visitor_hash(request, *, create: bool = False) -> str | None:
    """The visitor's hashed id; a new one (and a session) when `create`, else None if unknown."""
    visitor = request.session.get(SESSION_KEY)
    if visitor is None:
        if not create:
            return None
        visitor = secrets.token_hex(16)
        request.session[SESSION_KEY] = visitor
    return salted_hmac("knowledge.visitor", visitor, algorithm="sha256").hexdigest()


def case_submitted(request, case) -> None:
    """The contact form was sent: the suggestions this visitor opened did not deflect it."""
    visitor = visitor_hash(request)
    if visitor is not None:
        suggestion_opens_followed(visitor=visitor, case=case)


def page_view_create() -> str:
    """A signed id for one rendering of the contact form, that its suggestions count by."""
    return signing.dumps(secrets.token_hex(12), salt=PAGE_VIEW_SALT)


def page_view_check(signed: str) -> str | None:
    """The page view's id if the server signed it lately, else None."""
    try:
        return signing.loads(signed[:200], salt=PAGE_VIEW_SALT, max_age=PAGE_VIEW_MAX_AGE)
    except signing.BadSignature:
        return None
