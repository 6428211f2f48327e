"""How long an agent's session lasts: it ends after SESSION_IDLE_MINUTES without a
request, and every session of an agent ends when they log out everywhere.

A session notes when it began and when it was last used. The last use is written at
most once a minute, so most requests save nothing; "log out everywhere" is a time on
the agent (read with the user, no query of its own) before which sessions are over.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.dispatch import receiver
from django.utils import timezone

from audit.log import Action, audit_record

BEGAN, SEEN = "session_began", "session_seen"
SEEN_EVERY = 60  # seconds between two writes of the last use


@receiver(user_logged_in, dispatch_uid="session-began")
def session_began(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        session[BEGAN] = session[SEEN] = time.time()


def sessions_end(request) -> None:
    """End every session of the signed-in agent, this one too."""
    agent = request.agent
    agent.sessions_valid_from = timezone.now()
    agent.save(update_fields=["sessions_valid_from"])
    audit_record(Action.SESSIONS_ENDED, request=request)
    logout(request)


def _valid_from(user) -> float | None:
    try:
        valid_from = user.agent.sessions_valid_from
    except ObjectDoesNotExist:
        return None
    return valid_from.timestamp() if valid_from else None


class SessionGuardMiddleware:
    """Ends a signed-in session that has been idle too long or was ended everywhere,
    and notes its use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session and request.user.is_authenticated:
            now = time.time()
            began = session.get(BEGAN)
            seen = session.get(SEEN, began)
            idle = settings.SESSION_IDLE_MINUTES * 60
            valid_from = _valid_from(request.user)
            if (
                began is None
                or (idle and now - seen > idle)
                or (valid_from is not None and began < valid_from)
            ):
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - seen >= SEEN_EVERY:
                session[SEEN] = now
        return self.get_response(request)
