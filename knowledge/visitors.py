"""Who is reading, without an account: a random id kept in the session, stored only hashed."""

import secrets

from django.utils.crypto import salted_hmac

SESSION_KEY = "kb_visitor"


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
    from knowledge.services import suggestion_opens_followed

    visitor = visitor_hash(request)
    if visitor is not None:
        suggestion_opens_followed(visitor=visitor, case=case)
