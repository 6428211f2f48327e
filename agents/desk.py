"""Access to the desk: agents only."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
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
