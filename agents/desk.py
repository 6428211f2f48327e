"""Access to the desk: agents only."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from agents.models import Agent


def agent_required(view):
    """Anonymous users go to the login page; logged-in users without an agent profile get 403.

    The agent (with their team) is kept as request.agent: loaded with the user by the
    authentication backend (cases.auth), or here when another backend loaded the user.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            agent = request.user.agent
        except Agent.DoesNotExist:
            raise PermissionDenied(
                _("The desk is for agents. Ask a manager to give your account an agent profile.")
            ) from None
        agent.user = request.user
        request.agent = agent
        return view(request, *args, **kwargs)

    return wrapper


def next_url(request, default: str) -> str:
    """Where to go after a form: its `next` (posted, or in the query string) when it is a
    page of this site, else the page named `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)
