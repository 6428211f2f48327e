"""Access to the desk: agents only."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from agents.models import Agent


def agent_required(view):
    """Anonymous users go to the login page; logged-in users without an agent profile get 403.

    The agent (with their team) is loaded once and kept as request.agent.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        agent = Agent.objects.select_related("team").filter(user=request.user).first()
        if agent is None:
            raise PermissionDenied("Only agents can use the desk.")
        agent.user = request.user
        request.agent = agent
        return view(request, *args, **kwargs)

    return wrapper
